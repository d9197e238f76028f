//! Timestamps of log headers to milliseconds: ISO dates (`2024-01-15T10:00:00.123Z`,
//! `2024-01-15 10:00:00,123`), syslog (`Jan 15 10:00:00`, in 1970 since it has no year) and
//! epoch seconds or milliseconds. Time zones are ignored: only differences matter here.

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Milliseconds since the epoch of the first timestamp found in `text`.
///
/// ```
/// use corridor_core::logs::time::to_ms;
/// assert_eq!(to_ms("2024-01-15T10:00:00.5Z"), Some(1_705_312_800_500));
/// assert_eq!(to_ms("Jan  2 00:00:01"), Some(86_401_000));
/// ```
pub fn to_ms(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    for i in 0..b.len() {
        if i > 0 && b[i - 1].is_ascii_alphanumeric() {
            continue;
        }
        if let Some(ms) = iso(&b[i..]).or_else(|| syslog(&b[i..])) {
            return Some(ms);
        }
    }
    let digits: &str = text.trim();
    match digits.len() {
        10 | 13 if digits.bytes().all(|c| c.is_ascii_digit()) => {
            digits.parse::<i64>().ok().map(|v| if digits.len() == 10 { v * 1000 } else { v })
        }
        _ => None,
    }
}

fn num(b: &[u8], from: usize, len: usize) -> Option<i64> {
    let s = b.get(from..from + len)?;
    s.iter().all(u8::is_ascii_digit).then(|| s.iter().fold(0, |a, &d| a * 10 + (d - b'0') as i64))
}

/// `HH:MM:SS[.,fraction]` at `from`, as ms into the day.
fn clock(b: &[u8], from: usize) -> Option<i64> {
    let (h, m, s) = (num(b, from, 2)?, num(b, from + 3, 2)?, num(b, from + 6, 2)?);
    if b[from + 2] != b':' || b[from + 5] != b':' || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let mut ms = 0;
    if matches!(b.get(from + 8), Some(b'.' | b',')) {
        let frac: Vec<u8> = b[from + 9..].iter().take_while(|c| c.is_ascii_digit()).take(3).copied().collect();
        ms = frac.iter().fold(0, |a, &d| a * 10 + (d - b'0') as i64) * 10i64.pow(3 - frac.len() as u32);
    }
    Some(((h * 60 + m) * 60 + s) * 1000 + ms)
}

fn iso(b: &[u8]) -> Option<i64> {
    let (y, mo, d) = (num(b, 0, 4)?, num(b, 5, 2)?, num(b, 8, 2)?);
    if b[4] != b'-'
        || b[7] != b'-'
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
        || !matches!(b.get(10), Some(b'T' | b' '))
    {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400_000 + clock(b, 11)?)
}

fn syslog(b: &[u8]) -> Option<i64> {
    let month = MONTHS.iter().position(|m| b.starts_with(m.as_bytes()))? as i64 + 1;
    let mut i = 3;
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    let len = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let day = num(b, i, len).filter(|d| (1..=31).contains(d) && len <= 2)?;
    if b.get(i + len) != Some(&b' ') {
        return None;
    }
    Some(days_from_civil(1970, month, day) * 86_400_000 + clock(b, i + len + 1)?)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
