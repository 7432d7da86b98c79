//! Go's `fmt` and `strconv` formatting of template values: `%v` and every verb `printf` takes,
//! `print`/`println` spacing, `strconv.FormatFloat` and `strconv.Quote`, byte for byte as Go
//! prints them.

mod float;
mod print;
mod printable;
mod quote;

pub use float::format_float;
pub use print::{
    fmt_struct, fmt_value, push_int, push_uint, sprint, sprintf, sprintln, write_action_value,
    write_value,
};
pub use quote::{is_print, quote, quote_to};
