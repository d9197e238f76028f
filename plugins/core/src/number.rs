//! Decimal numbers read from text the way `str::parse::<f64>` reads them, converted by the
//! correctly rounded float parser serde_json already brings (its `float_roundtrip` feature).
//!
//! Calling `str::parse::<f64>` links the standard library's own float parser and its table of
//! powers of five, about 17 KB of `corridor.wasm`, for the two numbers the engine reads from
//! free text (an LLM's confidence, a `retry-after` header). Both parsers round to the nearest
//! double, so the values are the same.

/// `text` as `text.parse::<f64>().ok()` reads it: an optional sign, then `inf`, `infinity`
/// or `nan` in any case, or digits with an optional `.` (digits on at least one side) and an
/// optional exponent (`e` or `E`, optional sign, digits). Nothing else, no spaces.
pub(crate) fn parse_f64(text: &str) -> Option<f64> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let sign = if negative { -1.0 } else { 1.0 };
    if ["inf", "infinity"].iter().any(|word| unsigned.eq_ignore_ascii_case(word)) {
        return Some(sign * f64::INFINITY);
    }
    if unsigned.eq_ignore_ascii_case("nan") {
        return Some(sign * f64::NAN);
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (integer, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if integer.is_empty() && fraction.is_empty() || !digits(integer) || !digits(fraction) {
        return None;
    }
    // As JSON: no `+`, no leading zeros, digits on both sides of the point (which also keeps
    // `-0` negative), the exponent as it was.
    let mut json = String::with_capacity(text.len() + 4);
    if negative {
        json.push('-');
    }
    let integer = integer.trim_start_matches('0');
    json.push_str(if integer.is_empty() { "0" } else { integer });
    json.push('.');
    json.push_str(if fraction.is_empty() { "0" } else { fraction });
    if let Some(exponent) = exponent {
        let exponent_digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if exponent_digits.is_empty() || !digits(exponent_digits) {
            return None;
        }
        json.push('e');
        json.push_str(exponent);
    }
    // serde_json refuses what overflows the double range; `parse` gives the infinity.
    Some(crate::decode::from_str::<f64>(&json).unwrap_or(sign * f64::INFINITY))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_as_the_standard_parser_does() {
        let cases = [
            "0",
            "-0",
            "+0",
            "1",
            "85",
            "007",
            "0.85",
            ".85",
            "85.",
            "-.5",
            "+1.5",
            "1e5",
            "1E5",
            "1e+5",
            "1e-5",
            "2.5e-3",
            "1e400",
            "-1e400",
            "1e-400",
            "1e007",
            "inf",
            "-inf",
            "+INF",
            "Infinity",
            "-infinity",
            "nan",
            "NaN",
            "-nan",
            "",
            "-",
            "+",
            ".",
            "e5",
            "1e",
            "1e+",
            "1.2.3",
            "1,5",
            " 1",
            "1 ",
            "0x10",
            "1_000",
            "--1",
            "infinit",
            "1ee5",
            "1e5.5",
            "120",
            "0.1",
            "0.30000000000000004",
            "9007199254740993",
            "123456789012345678901234567890",
            "2.2250738585072011e-308",
            "4.9e-324",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "0.000000000000000000000000000000000000001",
            "1e99999999999999999999",
            "1e-99999999999999999999",
            ".e5",
            "0e5",
            "-0.0e-0",
            "5e-324",
            "2e-324",
            "1.e3",
        ];
        for case in cases {
            let ours = parse_f64(case);
            let std = case.parse::<f64>().ok();
            match (ours, std) {
                (Some(a), Some(b)) => {
                    assert!(a.to_bits() == b.to_bits() || a.is_nan() && b.is_nan(), "{case}: {a} {b}")
                }
                (a, b) => assert_eq!(a.is_some(), b.is_some(), "{case}: {a:?} {b:?}"),
            }
        }
    }
}
