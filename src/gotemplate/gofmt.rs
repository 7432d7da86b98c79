//! Go's `fmt` and `strconv` formatting of template values: `%v` and every verb `printf` takes,
//! `print`/`println` spacing, and `strconv.FormatFloat`, byte for byte as Go prints them.
