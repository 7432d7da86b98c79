//! Sprig's date functions (`now`, `date`, `dateInZone`, `htmlDate`, `htmlDateInZone`, `toDate`,
//! `mustToDate`, `dateModify`, `duration`, `durationRound`, `ago`, `unixEpoch` and their
//! snake-case aliases), and the Go `time` package behaviour behind them: `time.Time` values
//! that print as Go prints them, Go's reference-time layouts for formatting and parsing,
//! `time.ParseDuration` and `Duration.String`.
//!
//! Time zones come from the IANA database compiled into chartctl (`chrono-tz`); the local zone
//! is the one named by `TZ` (as Go reads it), else the zone `/etc/localtime` points to, else
//! UTC.

use std::any::Any;
use std::rc::Rc;
use std::sync::OnceLock;
use std::time::Instant;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike};
use chrono_tz::{OffsetName, Tz};

use crate::func;
use crate::gotemplate::func::{FuncError, FuncMap, Runtime};
use crate::gotemplate::value::{Object, Value};

pub fn register(map: &mut FuncMap) {
    map.insert(func!("now", [], now));
    map.insert(func!("date", [String, Any], date));
    map.insert(func!("dateInZone", [String, Any, String], date_in_zone));
    map.insert(func!("date_in_zone", [String, Any, String], date_in_zone));
    map.insert(func!("htmlDate", [Any], html_date));
    map.insert(func!("htmlDateInZone", [Any, String], html_date_in_zone));
    map.insert(func!("toDate", [String, String], to_date));
    map.insert(func!("mustToDate", [String, String], must_to_date));
    map.insert(func!("dateModify", [String, Time], date_modify));
    map.insert(func!("date_modify", [String, Time], date_modify));
    map.insert(func!("mustDateModify", [String, Time], must_date_modify));
    map.insert(func!("must_date_modify", [String, Time], must_date_modify));
    map.insert(func!("duration", [Any], duration));
    map.insert(func!("durationRound", [Any], duration_round));
    map.insert(func!("ago", [Any], ago));
    map.insert(func!("unixEpoch", [Time], unix_epoch));
}

// ---------------------------------------------------------------------------------------------
// Locations

/// A Go `*time.Location`.
#[derive(Clone, Debug, PartialEq)]
pub enum Location {
    Utc,
    /// `time.Local`, resolved once from the environment.
    Local,
    Zone(Tz),
    /// `time.FixedZone(name, offset)`.
    Fixed(String, i32),
}

/// What `time.Local` is: `None` for UTC.
fn local_zone() -> Option<Tz> {
    static LOCAL: OnceLock<Option<Tz>> = OnceLock::new();
    *LOCAL.get_or_init(|| {
        let name = match std::env::var("TZ") {
            Ok(tz) => tz.trim_start_matches(':').to_string(),
            Err(_) => std::fs::read_link("/etc/localtime")
                .ok()
                .and_then(|p| {
                    let s = p.to_string_lossy().into_owned();
                    s.find("zoneinfo/").map(|i| s[i + 9..].to_string())
                })
                .unwrap_or_default(),
        };
        match name.as_str() {
            "" | "UTC" => None,
            n => n.parse::<Tz>().ok(),
        }
    })
}

/// Go's `time.LoadLocation`.
pub fn load_location(name: &str) -> Result<Location, String> {
    match name {
        "" | "UTC" => Ok(Location::Utc),
        "Local" => Ok(Location::Local),
        n => n
            .parse::<Tz>()
            .map(Location::Zone)
            .map_err(|_| format!("unknown time zone {n}")),
    }
}

/// A numeric abbreviation as the tz database spells those it has no letters for (`+03`,
/// `-0330`).
fn numeric_abbrev(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    let (h, m) = (a / 3600, a / 60 % 60);
    if m == 0 {
        format!("{sign}{h:02}")
    } else {
        format!("{sign}{h:02}{m:02}")
    }
}

fn tz_offset(tz: Tz, unix: i64) -> (i32, String) {
    let utc = chrono::DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .naive_utc();
    let off = tz.offset_from_utc_datetime(&utc);
    let secs = off.fix().local_minus_utc();
    let name = off
        .abbreviation()
        .map_or_else(|| numeric_abbrev(secs), str::to_string);
    (secs, name)
}

impl Location {
    /// The offset east of UTC in seconds and the zone abbreviation in effect at `unix`.
    fn lookup(&self, unix: i64) -> (i32, String) {
        match self {
            Location::Utc => (0, "UTC".into()),
            Location::Local => match local_zone() {
                None => (0, "UTC".into()),
                Some(tz) => tz_offset(tz, unix),
            },
            Location::Zone(tz) => tz_offset(*tz, unix),
            Location::Fixed(name, off) => (*off, name.clone()),
        }
    }

    /// The unix time of a wall clock in this location, chosen as Go's `time.Date` chooses it
    /// in a gap or an overlap: the offset in effect at the wall clock read as UTC, corrected
    /// once by the offset in effect at the resulting instant.
    fn unix_of(&self, wall: i64) -> i64 {
        let (off, _) = self.lookup(wall);
        let (off2, _) = self.lookup(wall.saturating_sub(i64::from(off)));
        wall.saturating_sub(i64::from(off2))
    }
}

// ---------------------------------------------------------------------------------------------
// time.Time

/// A Go `time.Time`: an instant, a location, and for `now` a monotonic clock reading, which
/// Go prints as ` m=+0.001234567`.
#[derive(Clone, Debug, PartialEq)]
pub struct Time {
    pub unix: i64,
    pub nsec: u32,
    pub loc: Location,
    pub mono: Option<i64>,
}

/// Seconds from 0001-01-01 (Go's zero time) to the unix epoch.
const ZERO_UNIX: i64 = -62_135_596_800;

fn process_start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

impl Time {
    pub fn zero() -> Time {
        Time {
            unix: ZERO_UNIX,
            nsec: 0,
            loc: Location::Utc,
            mono: None,
        }
    }

    /// `time.Now()`.
    pub fn now() -> Time {
        let start = process_start();
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let mono = i64::try_from(start.elapsed().as_nanos()).unwrap_or(i64::MAX);
        Time {
            unix: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            nsec: d.subsec_nanos(),
            loc: Location::Local,
            mono: Some(mono),
        }
    }

    /// `time.Unix(sec, 0)` in the local zone.
    pub fn from_unix(sec: i64) -> Time {
        Time {
            unix: sec,
            nsec: 0,
            loc: Location::Local,
            mono: None,
        }
    }

    fn is_zero(&self) -> bool {
        self.unix == ZERO_UNIX && self.nsec == 0
    }

    /// The wall clock in the time's own location, with offset and abbreviation.
    fn civil(&self) -> (NaiveDateTime, i32, String) {
        let (off, name) = self.loc.lookup(self.unix);
        let wall = self.unix.saturating_add(i64::from(off));
        let dt = chrono::DateTime::from_timestamp(wall, self.nsec)
            .unwrap_or_default()
            .naive_utc();
        (dt, off, name)
    }

    fn in_loc(&self, loc: Location) -> Time {
        Time {
            loc,
            mono: None,
            ..self.clone()
        }
    }

    /// `t.Add(d)` for a duration in nanoseconds.
    fn add(&self, d: i64) -> Time {
        let total = i128::from(self.nsec) + i128::from(d % 1_000_000_000);
        let mut unix = self.unix.saturating_add(d / 1_000_000_000);
        let mut nsec = total;
        if nsec < 0 {
            nsec += 1_000_000_000;
            unix = unix.saturating_sub(1);
        } else if nsec >= 1_000_000_000 {
            nsec -= 1_000_000_000;
            unix = unix.saturating_add(1);
        }
        Time {
            unix,
            nsec: nsec as u32,
            loc: self.loc.clone(),
            mono: self.mono.map(|m| m.saturating_add(d)),
        }
    }

    /// Nanoseconds from `earlier` to `self`, saturating as Go's `Sub` does.
    fn sub(&self, earlier: &Time) -> i64 {
        let ns = (i128::from(self.unix) - i128::from(earlier.unix)) * 1_000_000_000
            + i128::from(self.nsec)
            - i128::from(earlier.nsec);
        i64::try_from(ns).unwrap_or(if ns < 0 { i64::MIN } else { i64::MAX })
    }

    /// `Time.Format(layout)`.
    pub fn format(&self, layout: &str) -> String {
        format_time(self, layout)
    }

    /// `Time.String()`.
    pub fn go_string(&self) -> String {
        let mut s = self.format("2006-01-02 15:04:05.999999999 -0700 MST");
        if let Some(m) = self.mono {
            let sign = if m < 0 { '-' } else { '+' };
            let a = m.unsigned_abs();
            s.push_str(&format!(
                " m={sign}{}.{:09}",
                a / 1_000_000_000,
                a % 1_000_000_000
            ));
        }
        s
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

impl Object for Time {
    fn type_name(&self) -> &str {
        "time.Time"
    }

    fn field(&self, name: &str) -> Option<Value> {
        let (dt, _, _) = self.civil();
        Some(match name {
            "Year" => Value::Int(i64::from(dt.year())),
            "Month" => Value::str(MONTHS[dt.month0() as usize]),
            "Day" => Value::Int(i64::from(dt.day())),
            "YearDay" => Value::Int(i64::from(dt.ordinal())),
            "Weekday" => Value::str(DAYS[dt.weekday().num_days_from_sunday() as usize]),
            "Hour" => Value::Int(i64::from(dt.hour())),
            "Minute" => Value::Int(i64::from(dt.minute())),
            "Second" => Value::Int(i64::from(dt.second())),
            "Nanosecond" => Value::Int(i64::from(self.nsec)),
            "Unix" => Value::Int64(self.unix),
            "UnixMilli" => Value::Int64(
                self.unix
                    .saturating_mul(1000)
                    .saturating_add(i64::from(self.nsec / 1_000_000)),
            ),
            "UnixMicro" => Value::Int64(
                self.unix
                    .saturating_mul(1_000_000)
                    .saturating_add(i64::from(self.nsec / 1000)),
            ),
            "UnixNano" => Value::Int64(
                self.unix
                    .wrapping_mul(1_000_000_000)
                    .wrapping_add(i64::from(self.nsec)),
            ),
            "UTC" => Value::Object(Rc::new(self.in_loc(Location::Utc))),
            "Local" => Value::Object(Rc::new(self.in_loc(Location::Local))),
            "String" => Value::string(self.go_string()),
            "IsZero" => Value::Bool(self.is_zero()),
            _ => return None,
        })
    }

    fn has_method(&self, name: &str) -> bool {
        matches!(name, "Format" | "AddDate" | "Before" | "After" | "Equal")
            || self.field(name).is_some()
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        match (name, args) {
            ("Format", [Value::String(layout)]) => Ok(Value::string(self.format(layout))),
            ("Before" | "After" | "Equal", [Value::Object(o)]) => {
                let other = o.as_any().downcast_ref::<Time>().ok_or_else(|| {
                    format!(
                        "wrong type for value; expected time.Time; got {}",
                        o.type_name()
                    )
                })?;
                let d = self.sub(other);
                Ok(Value::Bool(match name {
                    "Before" => d < 0,
                    "After" => d > 0,
                    _ => d == 0,
                }))
            }
            ("AddDate", [Value::Int(y), Value::Int(m), Value::Int(d)]) => {
                let (dt, _, _) = self.civil();
                let months = (i64::from(dt.year()) * 12 + i64::from(dt.month0()))
                    .saturating_add(*m)
                    .saturating_add(y.saturating_mul(12));
                let (year, month0) = (months.div_euclid(12), months.rem_euclid(12));
                let wall = civil_to_unix(
                    year,
                    month0 + 1,
                    i64::from(dt.day()).saturating_add(*d),
                    i64::from(dt.num_seconds_from_midnight()),
                );
                Ok(Value::Object(Rc::new(Time {
                    unix: self.loc.unix_of(wall),
                    nsec: self.nsec,
                    loc: self.loc.clone(),
                    mono: None,
                })))
            }
            (_, []) => self
                .field(name)
                .ok_or_else(|| format!("can't evaluate field {name} in type time.Time")),
            (_, _) => Err(format!("wrong arguments for method {name} of time.Time")),
        }
    }

    fn format(&self) -> String {
        self.go_string()
    }

    fn to_data(&self) -> Value {
        // `MarshalJSON` writes RFC 3339 with nanoseconds.
        Value::string(self.format("2006-01-02T15:04:05.999999999Z07:00"))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Seconds since the epoch of a proleptic Gregorian wall clock, normalising an out-of-range
/// day as Go's `time.Date` does.
fn civil_to_unix(year: i64, month: i64, day: i64, secs: i64) -> i64 {
    let months = year.saturating_mul(12).saturating_add(month - 1);
    let (y, m0) = (months.div_euclid(12), months.rem_euclid(12));
    let y = i32::try_from(y).unwrap_or(if y < 0 { -200_000 } else { 200_000 });
    let first = NaiveDate::from_ymd_opt(y, m0 as u32 + 1, 1).unwrap_or_default();
    let days = first
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp()
        / 86_400;
    days.saturating_add(day - 1)
        .saturating_mul(86_400)
        .saturating_add(secs)
}

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// ---------------------------------------------------------------------------------------------
// Layouts

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    Tz,
    Iso8601Tz,
    Iso8601SecondsTz,
    Iso8601ShortTz,
    Iso8601ColonTz,
    Iso8601ColonSecondsTz,
    NumTz,
    NumSecondsTz,
    NumShortTz,
    NumColonTz,
    NumColonSecondsTz,
    /// Fractional seconds with trailing zeros kept (`.000`): separator and digit count.
    Frac0(u8, usize),
    /// Fractional seconds with trailing zeros dropped (`.999`).
    Frac9(u8, usize),
}

fn starts_lower(s: &[u8]) -> bool {
    s.first().is_some_and(u8::is_ascii_lowercase)
}

/// Go's `nextStdChunk`: (literal prefix, the element and its text, rest).
fn next_chunk(layout: &str) -> (&str, Option<(Std, &str)>, &str) {
    let l = layout.as_bytes();
    let n = l.len();
    let has = |i: usize, s: &str| l[i..].starts_with(s.as_bytes());
    for i in 0..n {
        let found: Option<(Std, usize)> = match l[i] {
            b'J' if has(i, "Jan") => {
                if has(i, "January") {
                    Some((Std::LongMonth, 7))
                } else if !starts_lower(&l[i + 3..]) {
                    Some((Std::Month, 3))
                } else {
                    None
                }
            }
            b'M' => {
                if has(i, "Mon") {
                    if has(i, "Monday") {
                        Some((Std::LongWeekDay, 6))
                    } else if !starts_lower(&l[i + 3..]) {
                        Some((Std::WeekDay, 3))
                    } else {
                        None
                    }
                } else if has(i, "MST") {
                    Some((Std::Tz, 3))
                } else {
                    None
                }
            }
            b'0' => {
                if i + 1 < n && (b'1'..=b'6').contains(&l[i + 1]) {
                    Some((
                        [
                            Std::ZeroMonth,
                            Std::ZeroDay,
                            Std::ZeroHour12,
                            Std::ZeroMinute,
                            Std::ZeroSecond,
                            Std::Year,
                        ][usize::from(l[i + 1] - b'1')],
                        2,
                    ))
                } else if has(i, "002") {
                    Some((Std::ZeroYearDay, 3))
                } else {
                    None
                }
            }
            b'1' => {
                if has(i, "15") {
                    Some((Std::Hour, 2))
                } else {
                    Some((Std::NumMonth, 1))
                }
            }
            b'2' => {
                if has(i, "2006") {
                    Some((Std::LongYear, 4))
                } else {
                    Some((Std::Day, 1))
                }
            }
            b'_' => {
                if has(i, "_2") {
                    if has(i, "_2006") {
                        // A literal `_` then the long year.
                        return (
                            &layout[..i + 1],
                            Some((Std::LongYear, &layout[i + 1..i + 5])),
                            &layout[i + 5..],
                        );
                    }
                    Some((Std::UnderDay, 2))
                } else if has(i, "__2") {
                    Some((Std::UnderYearDay, 3))
                } else {
                    None
                }
            }
            b'3' => Some((Std::Hour12, 1)),
            b'4' => Some((Std::Minute, 1)),
            b'5' => Some((Std::Second, 1)),
            b'P' if has(i, "PM") => Some((Std::PM, 2)),
            b'p' if has(i, "pm") => Some((Std::Pm, 2)),
            b'-' => [
                ("-070000", Std::NumSecondsTz),
                ("-07:00:00", Std::NumColonSecondsTz),
                ("-0700", Std::NumTz),
                ("-07:00", Std::NumColonTz),
                ("-07", Std::NumShortTz),
            ]
            .iter()
            .find(|(p, _)| has(i, p))
            .map(|(p, s)| (*s, p.len())),
            b'Z' => [
                ("Z070000", Std::Iso8601SecondsTz),
                ("Z07:00:00", Std::Iso8601ColonSecondsTz),
                ("Z0700", Std::Iso8601Tz),
                ("Z07:00", Std::Iso8601ColonTz),
                ("Z07", Std::Iso8601ShortTz),
            ]
            .iter()
            .find(|(p, _)| has(i, p))
            .map(|(p, s)| (*s, p.len())),
            b'.' | b',' if i + 1 < n && (l[i + 1] == b'0' || l[i + 1] == b'9') => {
                let ch = l[i + 1];
                let mut j = i + 1;
                while j < n && l[j] == ch {
                    j += 1;
                }
                // Only a fractional second when the run of digits ends here.
                if j < n && l[j].is_ascii_digit() {
                    None
                } else if ch == b'0' {
                    Some((Std::Frac0(l[i], j - i - 1), j - i))
                } else {
                    Some((Std::Frac9(l[i], j - i - 1), j - i))
                }
            }
            _ => None,
        };
        if let Some((std, len)) = found {
            return (
                &layout[..i],
                Some((std, &layout[i..i + len])),
                &layout[i + len..],
            );
        }
    }
    (layout, None, "")
}

fn pad(n: i64, width: usize) -> String {
    if n < 0 {
        format!("-{:0width$}", -n)
    } else {
        format!("{n:0width$}")
    }
}

fn format_offset(out: &mut String, std: Std, offset: i32) {
    let iso = matches!(
        std,
        Std::Iso8601Tz
            | Std::Iso8601SecondsTz
            | Std::Iso8601ShortTz
            | Std::Iso8601ColonTz
            | Std::Iso8601ColonSecondsTz
    );
    if iso && offset == 0 {
        out.push('Z');
        return;
    }
    let zone = offset / 60;
    let abs = offset.unsigned_abs();
    out.push(if zone < 0 { '-' } else { '+' });
    let zone = zone.unsigned_abs();
    out.push_str(&format!("{:02}", zone / 60));
    let colon = matches!(
        std,
        Std::Iso8601ColonTz | Std::NumColonTz | Std::Iso8601ColonSecondsTz | Std::NumColonSecondsTz
    );
    if !matches!(std, Std::Iso8601ShortTz | Std::NumShortTz) {
        if colon {
            out.push(':');
        }
        out.push_str(&format!("{:02}", zone % 60));
    }
    if matches!(
        std,
        Std::Iso8601SecondsTz
            | Std::NumSecondsTz
            | Std::NumColonSecondsTz
            | Std::Iso8601ColonSecondsTz
    ) {
        if colon {
            out.push(':');
        }
        out.push_str(&format!("{:02}", abs % 60));
    }
}

fn format_time(t: &Time, layout: &str) -> String {
    let (dt, offset, name) = t.civil();
    let year = i64::from(dt.year());
    let mut out = String::new();
    let mut rest = layout;
    loop {
        let (prefix, std, suffix) = next_chunk(rest);
        out.push_str(prefix);
        let Some((std, _)) = std else { break };
        rest = suffix;
        let hour = i64::from(dt.hour());
        match std {
            Std::Year => out.push_str(&pad(year.rem_euclid(100), 2)),
            Std::LongYear => out.push_str(&pad(year, 4)),
            Std::Month => out.push_str(&MONTHS[dt.month0() as usize][..3]),
            Std::LongMonth => out.push_str(MONTHS[dt.month0() as usize]),
            Std::NumMonth => out.push_str(&dt.month().to_string()),
            Std::ZeroMonth => out.push_str(&pad(i64::from(dt.month()), 2)),
            Std::WeekDay => {
                out.push_str(&DAYS[dt.weekday().num_days_from_sunday() as usize][..3]);
            }
            Std::LongWeekDay => {
                out.push_str(DAYS[dt.weekday().num_days_from_sunday() as usize]);
            }
            Std::Day => out.push_str(&dt.day().to_string()),
            Std::UnderDay => out.push_str(&format!("{:>2}", dt.day())),
            Std::ZeroDay => out.push_str(&pad(i64::from(dt.day()), 2)),
            Std::UnderYearDay => out.push_str(&format!("{:>3}", dt.ordinal())),
            Std::ZeroYearDay => out.push_str(&pad(i64::from(dt.ordinal()), 3)),
            Std::Hour => out.push_str(&pad(hour, 2)),
            Std::Hour12 | Std::ZeroHour12 => {
                let h = match hour % 12 {
                    0 => 12,
                    h => h,
                };
                if std == Std::Hour12 {
                    out.push_str(&h.to_string());
                } else {
                    out.push_str(&pad(h, 2));
                }
            }
            Std::Minute => out.push_str(&dt.minute().to_string()),
            Std::ZeroMinute => out.push_str(&pad(i64::from(dt.minute()), 2)),
            Std::Second => out.push_str(&dt.second().to_string()),
            Std::ZeroSecond => out.push_str(&pad(i64::from(dt.second()), 2)),
            Std::PM => out.push_str(if hour >= 12 { "PM" } else { "AM" }),
            Std::Pm => out.push_str(if hour >= 12 { "pm" } else { "am" }),
            Std::Tz => {
                if name.is_empty() {
                    format_offset(&mut out, Std::NumTz, offset);
                } else {
                    out.push_str(&name);
                }
            }
            Std::Frac0(sep, digits) | Std::Frac9(sep, digits) => {
                let all = format!("{:09}", t.nsec);
                let mut frac = &all[..digits.min(9)];
                if matches!(std, Std::Frac9(..)) {
                    frac = frac.trim_end_matches('0');
                    if frac.is_empty() {
                        continue;
                    }
                }
                out.push(char::from(sep));
                out.push_str(frac);
            }
            tz => format_offset(&mut out, tz, offset),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Parsing

/// The quoting of Go's `time` package errors: like `strconv.Quote` for printable ASCII, but
/// every byte of a control or non-ASCII character is written as `\xNN`.
pub fn time_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if (c as u32) < 0x20 || (c as u32) >= 0x80 {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

fn parse_error(layout: &str, value: &str, elem_layout: &str, elem_value: &str) -> String {
    format!(
        "parsing time {} as {}: cannot parse {} as {}",
        time_quote(value),
        time_quote(layout),
        time_quote(elem_value),
        time_quote(elem_layout)
    )
}

/// Leading decimal digits (at most `max`), Go's `getnum`/`getnum3` for `fixed` widths.
fn getnum(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    if b.is_empty() || !b[0].is_ascii_digit() {
        return None;
    }
    if b.len() < 2 || !b[1].is_ascii_digit() {
        if fixed {
            return None;
        }
        return Some((i64::from(b[0] - b'0'), &s[1..]));
    }
    Some((
        i64::from(b[0] - b'0') * 10 + i64::from(b[1] - b'0'),
        &s[2..],
    ))
}

fn getnum3(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i < 3 && i < b.len() && b[i].is_ascii_digit() {
        n = n * 10 + i64::from(b[i] - b'0');
        i += 1;
    }
    if i == 0 || (fixed && i != 3) {
        return None;
    }
    Some((n, &s[i..]))
}

/// Go's `skip`: matches a layout literal, where a space matches any run of spaces.
fn skip<'a>(mut value: &'a str, mut prefix: &str) -> Result<&'a str, ()> {
    while let Some(p) = prefix.chars().next() {
        if p == ' ' {
            if !value.is_empty() && !value.starts_with(' ') {
                return Err(());
            }
            prefix = prefix.trim_start_matches(' ');
            value = value.trim_start_matches(' ');
            continue;
        }
        let Some(v) = value.chars().next() else {
            return Err(());
        };
        if v != p {
            return Err(());
        }
        prefix = &prefix[p.len_utf8()..];
        value = &value[v.len_utf8()..];
    }
    Ok(value)
}

fn lookup_name<'a>(names: &[&str], value: &'a str, short: bool) -> Option<(usize, &'a str)> {
    for (i, name) in names.iter().enumerate() {
        let name = if short { &name[..3] } else { name };
        if value.len() >= name.len()
            && value.is_char_boundary(name.len())
            && value[..name.len()].eq_ignore_ascii_case(name)
        {
            return Some((i, &value[name.len()..]));
        }
    }
    None
}

/// Go's `parseNanoseconds` of `value[..nbytes]`, which starts with the separator.
fn parse_nanos(value: &str, nbytes: usize) -> Option<i64> {
    let digits = &value[1..nbytes];
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut ns = 0i64;
    for (i, b) in digits.bytes().take(9).enumerate() {
        ns += i64::from(b - b'0') * 10i64.pow(8 - i as u32);
    }
    Some(ns)
}

/// Go's `parseTimeZone`: the length of a zone abbreviation at the start of `value`.
fn parse_time_zone(value: &str) -> Option<usize> {
    let b = value.as_bytes();
    if b.len() < 3 {
        return None;
    }
    if b.len() >= 4 && (&value[..4] == "ChST" || &value[..4] == "MeST") {
        return Some(4);
    }
    if &value[..3] == "GMT" {
        // `GMT` then an optional signed hour offset.
        let rest = &b[3..];
        if rest.is_empty() || (rest[0] != b'+' && rest[0] != b'-') {
            return Some(3);
        }
        let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return Some(3);
        }
        let n: i64 = std::str::from_utf8(&rest[1..1 + digits])
            .ok()?
            .parse()
            .unwrap_or(99);
        if n > 24 || (rest[0] == b'+' && n > 14) || (rest[0] == b'-' && n > 12) {
            return Some(3);
        }
        return Some(4 + digits);
    }
    if b[0] == b'+' || b[0] == b'-' {
        let n = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        return match n {
            2 | 4 => Some(1 + n),
            _ => None,
        };
    }
    let upper = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    match upper {
        0..=2 => None,
        3 => Some(3),
        4 => {
            if b[3] == b'T' || &value[..4] == "WITA" {
                Some(4)
            } else {
                None
            }
        }
        5 => {
            if b[4] == b'T' {
                Some(5)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Go's `time.ParseInLocation(layout, value, loc)`.
pub fn parse_time(layout: &str, value: &str, local: &Location) -> Result<Time, String> {
    let (alayout, avalue) = (layout, value);
    let mut layout = layout;
    let mut value = value;
    let (mut year, mut month, mut day, mut yday) = (0i64, -1i64, -1i64, -1i64);
    let (mut hour, mut min, mut sec, mut nsec) = (0i64, 0i64, 0i64, 0i64);
    let (mut pm_set, mut am_set) = (false, false);
    let mut utc = false;
    let mut zone_offset: Option<i64> = None;
    let mut zone_name = String::new();
    let range_err =
        |what: &str| format!("parsing time {}: {what} out of range", time_quote(avalue));
    loop {
        let (prefix, std, suffix) = next_chunk(layout);
        let stdstr = std.map_or("", |(_, s)| s);
        value = skip(value, prefix).map_err(|()| parse_error(alayout, avalue, prefix, value))?;
        let Some((std, _)) = std else {
            if !value.is_empty() {
                return Err(format!(
                    "parsing time {}: extra text: {}",
                    time_quote(avalue),
                    time_quote(value)
                ));
            }
            break;
        };
        layout = suffix;
        let hold = value;
        let bad = || parse_error(alayout, avalue, stdstr, hold);
        match std {
            Std::Year => {
                if value.len() < 2 || !value.as_bytes()[..2].iter().all(u8::is_ascii_digit) {
                    return Err(bad());
                }
                let y: i64 = value[..2].parse().map_err(|_| bad())?;
                value = &value[2..];
                year = if y >= 69 { y + 1900 } else { y + 2000 };
            }
            Std::LongYear => {
                if value.len() < 4 || !value.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
                    return Err(bad());
                }
                year = value[..4].parse().map_err(|_| bad())?;
                value = &value[4..];
            }
            Std::Month | Std::LongMonth => {
                let (m, rest) = lookup_name(&MONTHS, value, std == Std::Month).ok_or_else(bad)?;
                month = m as i64 + 1;
                value = rest;
            }
            Std::NumMonth | Std::ZeroMonth => {
                let (m, rest) = getnum(value, std == Std::ZeroMonth).ok_or_else(bad)?;
                if !(1..=12).contains(&m) {
                    return Err(range_err("month"));
                }
                month = m;
                value = rest;
            }
            Std::WeekDay | Std::LongWeekDay => {
                let (_, rest) = lookup_name(&DAYS, value, std == Std::WeekDay).ok_or_else(bad)?;
                value = rest;
            }
            Std::Day | Std::UnderDay | Std::ZeroDay => {
                if std == Std::UnderDay && value.starts_with(' ') {
                    value = &value[1..];
                }
                let (d, rest) = getnum(value, std == Std::ZeroDay).ok_or_else(bad)?;
                day = d;
                value = rest;
            }
            Std::UnderYearDay | Std::ZeroYearDay => {
                for _ in 0..2 {
                    if std == Std::UnderYearDay && value.starts_with(' ') {
                        value = &value[1..];
                    }
                }
                let (d, rest) = getnum3(value, std == Std::ZeroYearDay).ok_or_else(bad)?;
                if !(1..=366).contains(&d) {
                    return Err(range_err("day-of-year"));
                }
                yday = d;
                value = rest;
            }
            Std::Hour => {
                let (h, rest) = getnum(value, false).ok_or_else(bad)?;
                if !(0..24).contains(&h) {
                    return Err(range_err("hour"));
                }
                hour = h;
                value = rest;
            }
            Std::Hour12 | Std::ZeroHour12 => {
                let (h, rest) = getnum(value, std == Std::ZeroHour12).ok_or_else(bad)?;
                if !(0..=12).contains(&h) {
                    return Err(range_err("hour"));
                }
                hour = h;
                value = rest;
            }
            Std::Minute | Std::ZeroMinute => {
                let (m, rest) = getnum(value, std == Std::ZeroMinute).ok_or_else(bad)?;
                if !(0..60).contains(&m) {
                    return Err(range_err("minute"));
                }
                min = m;
                value = rest;
            }
            Std::Second | Std::ZeroSecond => {
                let (s, rest) = getnum(value, std == Std::ZeroSecond).ok_or_else(bad)?;
                if !(0..60).contains(&s) {
                    return Err(range_err("second"));
                }
                sec = s;
                value = rest;
                // A fractional second the layout does not name is still accepted.
                let b = value.as_bytes();
                if b.len() >= 2 && (b[0] == b'.' || b[0] == b',') && b[1].is_ascii_digit() {
                    let (_, next, _) = next_chunk(layout);
                    if !matches!(next, Some((Std::Frac0(..) | Std::Frac9(..), _))) {
                        let n = 2 + b[2..].iter().take_while(|c| c.is_ascii_digit()).count();
                        nsec = parse_nanos(value, n).ok_or_else(bad)?;
                        value = &value[n..];
                    }
                }
            }
            Std::PM | Std::Pm => {
                if value.len() < 2 || !value.is_char_boundary(2) {
                    return Err(bad());
                }
                let (p, rest) = value.split_at(2);
                let (up, low) = if std == Std::PM {
                    ("PM", "AM")
                } else {
                    ("pm", "am")
                };
                if p == up {
                    pm_set = true;
                } else if p == low {
                    am_set = true;
                } else {
                    return Err(bad());
                }
                value = rest;
            }
            Std::Iso8601Tz
            | Std::Iso8601ShortTz
            | Std::Iso8601ColonTz
            | Std::Iso8601SecondsTz
            | Std::Iso8601ColonSecondsTz
            | Std::NumTz
            | Std::NumShortTz
            | Std::NumColonTz
            | Std::NumSecondsTz
            | Std::NumColonSecondsTz => {
                let iso = matches!(
                    std,
                    Std::Iso8601Tz
                        | Std::Iso8601ShortTz
                        | Std::Iso8601ColonTz
                        | Std::Iso8601SecondsTz
                        | Std::Iso8601ColonSecondsTz
                );
                if iso && value.starts_with('Z') {
                    value = &value[1..];
                    utc = true;
                    continue;
                }
                let b = value.as_bytes();
                let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
                let (shape, len): (&[usize], usize) = match std {
                    Std::Iso8601ColonTz | Std::NumColonTz => (&[1, 2, 4, 5], 6),
                    Std::Iso8601ShortTz | Std::NumShortTz => (&[1, 2], 3),
                    Std::Iso8601ColonSecondsTz | Std::NumColonSecondsTz => (&[1, 2, 4, 5, 7, 8], 9),
                    Std::Iso8601SecondsTz | Std::NumSecondsTz => (&[1, 2, 3, 4, 5, 6], 7),
                    _ => (&[1, 2, 3, 4], 5),
                };
                if b.len() < len || !shape.iter().all(|&i| digit(i)) {
                    return Err(bad());
                }
                if len == 6 && b[3] != b':' || len == 9 && (b[3] != b':' || b[6] != b':') {
                    return Err(bad());
                }
                let num = |i: usize| i64::from(b[i] - b'0') * 10 + i64::from(b[i + 1] - b'0');
                let hh = num(1);
                let (mm, ss) = match len {
                    6 => (num(4), 0),
                    3 => (0, 0),
                    9 => (num(4), num(7)),
                    7 => (num(3), num(5)),
                    _ => (num(3), 0),
                };
                if hh > 24 {
                    return Err(range_err("time zone offset hour"));
                }
                if mm > 60 {
                    return Err(range_err("time zone offset minute"));
                }
                if ss > 60 {
                    return Err(range_err("time zone offset second"));
                }
                let mut off = (hh * 60 + mm) * 60 + ss;
                match b[0] {
                    b'+' => {}
                    b'-' => off = -off,
                    _ => return Err(bad()),
                }
                zone_offset = Some(off);
                value = &value[len..];
            }
            Std::Tz => {
                if value.starts_with("UTC") {
                    value = &value[3..];
                    utc = true;
                    continue;
                }
                let n = parse_time_zone(value).ok_or_else(bad)?;
                zone_name = value[..n].to_string();
                value = &value[n..];
            }
            Std::Frac0(_, digits) => {
                let ndigit = 1 + digits;
                if value.len() < ndigit || !value.is_char_boundary(ndigit) {
                    return Err(bad());
                }
                let b = value.as_bytes();
                if b[0] != b'.' && b[0] != b',' {
                    return Err(bad());
                }
                nsec = parse_nanos(value, ndigit).ok_or_else(bad)?;
                value = &value[ndigit..];
            }
            Std::Frac9(..) => {
                let b = value.as_bytes();
                if b.len() < 2 || (b[0] != b'.' && b[0] != b',') || !b[1].is_ascii_digit() {
                    continue;
                }
                let n = 1 + b[1..]
                    .iter()
                    .take(9)
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                nsec = parse_nanos(value, n).ok_or_else(bad)?;
                value = &value[n..];
            }
        }
    }
    if pm_set && hour < 12 {
        hour += 12;
    } else if am_set && hour == 12 {
        hour = 0;
    }
    if yday >= 0 {
        let leap = days_in(2, year) == 29;
        if yday > 365 && !leap {
            return Err(range_err("day-of-year"));
        }
        let mut d = yday;
        let mut m = 1;
        while d > days_in(m, year) {
            d -= days_in(m, year);
            m += 1;
        }
        if month >= 0 && month != m {
            return Err(format!(
                "parsing time {}: day-of-year does not match month",
                time_quote(avalue)
            ));
        }
        month = m;
        if day >= 0 && day != d {
            return Err(format!(
                "parsing time {}: day-of-year does not match day",
                time_quote(avalue)
            ));
        }
        day = d;
    } else {
        if month < 0 {
            month = 1;
        }
        if day < 0 {
            day = 1;
        }
    }
    if day < 1 || day > days_in(month, year) {
        return Err(format!(
            "parsing time {}: day out of range",
            time_quote(avalue)
        ));
    }
    let wall = civil_to_unix(year, month, day, hour * 3600 + min * 60 + sec);
    let nsec = nsec as u32;
    if utc {
        return Ok(Time {
            unix: wall,
            nsec,
            loc: Location::Utc,
            mono: None,
        });
    }
    if let Some(off) = zone_offset {
        let unix = wall - off;
        let (loc_off, loc_name) = local.lookup(unix);
        let loc = if i64::from(loc_off) == off && (zone_name.is_empty() || loc_name == zone_name) {
            local.clone()
        } else {
            Location::Fixed(zone_name, off as i32)
        };
        return Ok(Time {
            unix,
            nsec,
            loc,
            mono: None,
        });
    }
    if !zone_name.is_empty() {
        // A zone abbreviation the local zone uses takes its offset: preferably the one in
        // effect around that time, else the one it has elsewhere in the year (Go's
        // `lookupName`, which searches the zone's whole table; mid-January and mid-July stand
        // in for it here).
        let year_start = civil_to_unix(year, 1, 15, 0);
        let year_mid = civil_to_unix(year, 7, 15, 0);
        for probe in [wall - 86_400, wall, wall + 86_400, year_start, year_mid] {
            let (off, name) = local.lookup(probe);
            if name == zone_name {
                return Ok(Time {
                    unix: wall - i64::from(off),
                    nsec,
                    loc: local.clone(),
                    mono: None,
                });
            }
        }
        let mut off = 0;
        if zone_name.len() > 3 && zone_name.starts_with("GMT") {
            off = zone_name[3..].parse::<i32>().unwrap_or(0) * 3600;
        }
        return Ok(Time {
            unix: wall,
            nsec,
            loc: Location::Fixed(zone_name, off),
            mono: None,
        });
    }
    Ok(Time {
        unix: local.unix_of(wall),
        nsec,
        loc: local.clone(),
        mono: None,
    })
}

// ---------------------------------------------------------------------------------------------
// Durations

const NS: i64 = 1;
const US: i64 = 1000 * NS;
const MS: i64 = 1000 * US;
const SEC: i64 = 1000 * MS;
const MIN: i64 = 60 * SEC;
const HOUR: i64 = 60 * MIN;

/// Go's `Duration.String`.
pub fn duration_string(d: i64) -> String {
    let neg = d < 0;
    let u = d.unsigned_abs();
    let mut out = String::new();
    if u < SEC as u64 {
        let (prec, unit) = match u {
            0 => return "0s".into(),
            1..1000 => (0, "ns"),
            1000..1_000_000 => (3, "µs"),
            _ => (6, "ms"),
        };
        out.push_str(&frac(u, prec));
        out.push_str(unit);
    } else {
        let secs = u / SEC as u64;
        let nanos = u % SEC as u64;
        let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        if h > 0 {
            out.push_str(&format!("{h}h"));
        }
        if h > 0 || m > 0 {
            out.push_str(&format!("{m}m"));
        }
        out.push_str(&frac(s * 1_000_000_000 + nanos, 9));
        out.push('s');
    }
    if neg {
        out.insert(0, '-');
    }
    out
}

/// `v / 10^prec` with its fraction, trailing zeros dropped.
fn frac(v: u64, prec: u32) -> String {
    let p = 10u64.pow(prec);
    let (int, f) = (v / p, v % p);
    if f == 0 {
        return int.to_string();
    }
    let digits = format!("{f:0width$}", width = prec as usize);
    format!("{int}.{}", digits.trim_end_matches('0'))
}

/// Go's `time.ParseDuration`.
pub fn parse_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", time_quote(orig));
    let mut s = orig;
    let mut neg = false;
    if let Some(c) = s.chars().next() {
        if c == '-' || c == '+' {
            neg = c == '-';
            s = &s[1..];
        }
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let limit: u64 = 1 << 63;
    let mut d: u64 = 0;
    while !s.is_empty() {
        let b = s.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return Err(invalid());
        }
        // The integer part.
        let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let mut v: u64 = 0;
        for &c in &b[..n] {
            if v > limit / 10 {
                return Err(invalid());
            }
            v = v * 10 + u64::from(c - b'0');
            if v > limit {
                return Err(invalid());
            }
        }
        let pre = n > 0;
        s = &s[n..];
        // The fraction.
        let (mut f, mut scale, mut post) = (0u64, 1f64, false);
        if s.starts_with('.') {
            s = &s[1..];
            let b = s.as_bytes();
            let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
            let mut overflow = false;
            for &c in &b[..n] {
                if overflow {
                    continue;
                }
                if f > (i64::MAX as u64) / 10 {
                    overflow = true;
                    continue;
                }
                let y = f * 10 + u64::from(c - b'0');
                if y > i64::MAX as u64 {
                    overflow = true;
                    continue;
                }
                f = y;
                scale *= 10.0;
            }
            post = n > 0;
            s = &s[n..];
        }
        if !pre && !post {
            return Err(invalid());
        }
        let i = s
            .bytes()
            .position(|c| c == b'.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if i == 0 {
            return Err(format!(
                "time: missing unit in duration {}",
                time_quote(orig)
            ));
        }
        let u = &s[..i];
        s = &s[i..];
        let unit: u64 = match u {
            "ns" => 1,
            "us" | "µs" | "μs" => 1000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    time_quote(u),
                    time_quote(orig)
                ))
            }
        };
        if v > limit / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > limit {
                return Err(invalid());
            }
        }
        d = d.checked_add(v).ok_or_else(invalid)?;
        if d > limit {
            return Err(invalid());
        }
    }
    if neg {
        return Ok((d as i64).wrapping_neg());
    }
    if d > i64::MAX as u64 {
        return Err(invalid());
    }
    Ok(d as i64)
}

/// Go's `Duration.Round(m)`: halves away from zero, saturating.
fn round_duration(d: i64, m: i64) -> i64 {
    let r = d % m;
    if d < 0 {
        let r = -r;
        if r + r < m {
            return d + r;
        }
        d.checked_sub(m - r).unwrap_or(i64::MIN)
    } else {
        if r + r < m {
            return d - r;
        }
        d.checked_add(m - r).unwrap_or(i64::MAX)
    }
}

// ---------------------------------------------------------------------------------------------
// The functions

fn arg_str(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

fn as_time(v: &Value) -> Option<&Time> {
    match v {
        Value::Object(o) => o.as_any().downcast_ref::<Time>(),
        _ => None,
    }
}

fn time_value(t: Time) -> Value {
    Value::Object(Rc::new(t))
}

/// A `time.Time` parameter, checked as Go's template engine checks it.
fn time_param(v: Option<&Value>) -> Result<Time, FuncError> {
    match v {
        Some(v) => match as_time(v) {
            Some(t) => Ok(t.clone()),
            None if v.is_nil() => Err(FuncError::call("invalid value; expected time.Time")),
            None => Err(FuncError::Call(format!(
                "wrong type for value; expected time.Time; got {}",
                v.type_name()
            ))),
        },
        None => Err(FuncError::call("invalid value; expected time.Time")),
    }
}

fn now(_: &mut dyn Runtime, _: &[Value]) -> Result<Value, FuncError> {
    Ok(time_value(Time::now()))
}

/// The time Sprig's `date` family takes: a time, or seconds since the epoch as an `int` or
/// `int64`; anything else (a float from a values file too) means now.
fn date_arg(v: Option<&Value>) -> Time {
    match v {
        Some(Value::Int(n) | Value::Int64(n)) => Time::from_unix(*n),
        Some(v) => as_time(v).cloned().unwrap_or_else(Time::now),
        None => Time::now(),
    }
}

fn in_zone(layout: &str, t: &Time, zone: &str) -> String {
    let loc = load_location(zone).unwrap_or(Location::Utc);
    t.in_loc(loc).format(layout)
}

fn date(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let t = date_arg(args.get(1));
    Ok(Value::string(in_zone(arg_str(args, 0), &t, "Local")))
}

fn date_in_zone(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let t = date_arg(args.get(1));
    Ok(Value::string(in_zone(
        arg_str(args, 0),
        &t,
        arg_str(args, 2),
    )))
}

fn html_date(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let t = date_arg(args.first());
    Ok(Value::string(in_zone("2006-01-02", &t, "Local")))
}

fn html_date_in_zone(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let t = date_arg(args.first());
    Ok(Value::string(in_zone("2006-01-02", &t, arg_str(args, 1))))
}

fn to_date(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let t = parse_time(arg_str(args, 0), arg_str(args, 1), &Location::Local)
        .unwrap_or_else(|_| Time::zero());
    Ok(time_value(t))
}

fn must_to_date(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    parse_time(arg_str(args, 0), arg_str(args, 1), &Location::Local)
        .map(time_value)
        .map_err(FuncError::Call)
}

fn date_modify(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let t = time_param(args.get(1))?;
    Ok(time_value(match parse_duration(arg_str(args, 0)) {
        Ok(d) => t.add(d),
        Err(_) => t,
    }))
}

fn must_date_modify(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let t = time_param(args.get(1))?;
    let d = parse_duration(arg_str(args, 0)).map_err(FuncError::Call)?;
    Ok(time_value(t.add(d)))
}

fn duration(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    // Only a numeric string or an int64 counts; Go's `int` (a template literal) gives 0.
    let n = match args.first() {
        Some(Value::String(s)) => s.parse::<i64>().unwrap_or(0),
        Some(Value::Int64(n)) => *n,
        _ => 0,
    };
    Ok(Value::string(duration_string(n.wrapping_mul(SEC))))
}

fn duration_round(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let d = match args.first() {
        Some(Value::String(s)) => parse_duration(s).unwrap_or(0),
        Some(Value::Int64(n)) => *n,
        Some(v) => match as_time(v) {
            Some(t) => Time::now().sub(t),
            None => 0,
        },
        None => 0,
    };
    let u = d.unsigned_abs();
    let (year, month, day) = (
        HOUR as u64 * 24 * 365,
        HOUR as u64 * 24 * 30,
        HOUR as u64 * 24,
    );
    let text = if u > year {
        format!("{}y", u / year)
    } else if u > month {
        format!("{}mo", u / month)
    } else if u > day {
        format!("{}d", u / day)
    } else if u > HOUR as u64 {
        format!("{}h", u / HOUR as u64)
    } else if u > MIN as u64 {
        format!("{}m", u / MIN as u64)
    } else if u > SEC as u64 {
        format!("{}s", u / SEC as u64)
    } else {
        "0s".into()
    };
    Ok(Value::string(text))
}

fn ago(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let t = match args.first() {
        Some(Value::Int(n) | Value::Int64(n)) => Time::from_unix(*n),
        Some(v) => as_time(v).cloned().unwrap_or_else(Time::now),
        None => Time::now(),
    };
    let since = Time::now().sub(&t);
    Ok(Value::string(duration_string(round_duration(since, SEC))))
}

fn unix_epoch(_: &mut dyn Runtime, args: &[Value]) -> Result<Value, FuncError> {
    let t = time_param(args.first())?;
    Ok(Value::string(t.unix.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(layout: &str, value: &str) -> Result<Time, String> {
        parse_time(layout, value, &Location::Utc)
    }

    #[test]
    fn formats_go_layouts() {
        let t = utc("2006-01-02 15:04:05", "2024-03-05 07:08:09").unwrap();
        assert_eq!(
            t.format("Mon Jan _2 15:04:05 2006"),
            "Tue Mar  5 07:08:09 2024"
        );
        assert_eq!(t.format("3:04PM 02/01/06"), "7:08AM 05/03/24");
        assert_eq!(
            t.format("2006-01-02T15:04:05Z07:00"),
            "2024-03-05T07:08:09Z"
        );
        assert_eq!(
            t.format("Monday, January 2 002 __2"),
            "Tuesday, March 5 065  65"
        );
        assert_eq!(t.go_string(), "2024-03-05 07:08:09 +0000 UTC");
    }

    #[test]
    fn zones_come_from_the_embedded_database() {
        let t = utc("2006-01-02 15:04", "2024-07-01 12:00").unwrap();
        let ny = t.in_loc(load_location("America/New_York").unwrap());
        assert_eq!(ny.format("15:04 MST -0700"), "08:00 EDT -0400");
        let winter = utc("2006-01-02 15:04", "2024-01-01 12:00").unwrap();
        let ny = winter.in_loc(load_location("America/New_York").unwrap());
        assert_eq!(ny.format("15:04 MST"), "07:00 EST");
    }

    #[test]
    fn parses_offsets_and_fractions() {
        let t = utc(
            "2006-01-02T15:04:05.999999999Z07:00",
            "2024-03-05T07:08:09.5+02:00",
        )
        .unwrap();
        assert_eq!(t.unix, 1_709_615_289);
        assert_eq!(t.nsec, 500_000_000);
        assert_eq!(t.go_string(), "2024-03-05 07:08:09.5 +0200 +0200");
    }

    #[test]
    fn parse_errors_are_go_texts() {
        assert_eq!(
            utc("2006-01-02", "x").unwrap_err(),
            r#"parsing time "x" as "2006-01-02": cannot parse "x" as "2006""#
        );
        assert_eq!(
            utc("2006-01-02", "2024-13-01").unwrap_err(),
            r#"parsing time "2024-13-01": month out of range"#
        );
        assert_eq!(
            utc("2006-01-02", "2024-02-30").unwrap_err(),
            r#"parsing time "2024-02-30": day out of range"#
        );
        assert_eq!(
            utc("2006-01-02", "2024-02-03x").unwrap_err(),
            r#"parsing time "2024-02-03x": extra text: "x""#
        );
    }

    #[test]
    fn parses_in_a_local_zone_as_go_does() {
        // Recorded from Helm with TZ=America/New_York.
        let ny = load_location("America/New_York").unwrap();
        let p = |layout: &str, value: &str| parse_time(layout, value, &ny).unwrap().go_string();
        assert_eq!(
            p("2006-01-02 15:04", "2024-03-10 02:30"),
            "2024-03-10 01:30:00 -0500 EST"
        );
        assert_eq!(
            p("2006-01-02 15:04", "2024-11-03 01:30"),
            "2024-11-03 01:30:00 -0400 EDT"
        );
        assert_eq!(
            p("2006-01-02 15:04 MST", "2024-07-01 10:00 EST"),
            "2024-07-01 11:00:00 -0400 EDT"
        );
        assert_eq!(
            p("2006-01-02 15:04 MST", "2024-07-01 10:00 EDT"),
            "2024-07-01 10:00:00 -0400 EDT"
        );
        assert_eq!(
            p("2006-01-02 15:04 -0700", "2024-07-01 10:00 -0400"),
            "2024-07-01 10:00:00 -0400 EDT"
        );
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        let mut rt = crate::gotemplate::func::PlainRuntime::default();
        for n in [i64::MIN, i64::MAX, -62_135_596_801, 253_402_300_800] {
            let t = Value::Object(Rc::new(Time::from_unix(n)));
            let _ = date(
                &mut rt,
                &[Value::str("2006-01-02 Mon MST .000"), Value::Int(n)],
            );
            let _ = date_modify(&mut rt, &[Value::str("2562047h"), t.clone()]);
            let _ = date_modify(&mut rt, &[Value::str("-2562047h"), t.clone()]);
            let _ = ago(&mut rt, std::slice::from_ref(&t));
            let _ = duration_round(&mut rt, std::slice::from_ref(&t));
            let _ = duration(&mut rt, &[Value::Int64(n)]);
            if let Value::Object(o) = &t {
                let big = Value::Int(n);
                let _ = o.call("AddDate", &[big.clone(), big.clone(), big]);
                let _ = o.format();
            }
        }
        for d in [
            "9223372036854775807ns",
            "9223372036854775808ns",
            "1e3s",
            ".",
            "-",
            "+.5h",
        ] {
            let _ = parse_duration(d);
        }
        assert!(parse_duration("9223372036854775808ns").is_err());
        assert_eq!(parse_duration("-9223372036854775808ns"), Ok(i64::MIN));
    }

    #[test]
    fn durations() {
        assert_eq!(duration_string(3661 * SEC), "1h1m1s");
        assert_eq!(duration_string(60 * SEC), "1m0s");
        assert_eq!(duration_string(1500 * US), "1.5ms");
        assert_eq!(duration_string(-2 * SEC), "-2s");
        assert_eq!(parse_duration("1h30m"), Ok(90 * MIN));
        assert_eq!(parse_duration("-1.5s"), Ok(-1500 * MS));
        assert_eq!(
            parse_duration("1").unwrap_err(),
            r#"time: missing unit in duration "1""#
        );
        assert_eq!(
            parse_duration("1y").unwrap_err(),
            r#"time: unknown unit "y" in duration "1y""#
        );
        assert_eq!(round_duration(1499 * MS, SEC), SEC);
        assert_eq!(round_duration(1500 * MS, SEC), 2 * SEC);
    }
}
