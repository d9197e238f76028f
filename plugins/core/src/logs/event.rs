//! Multi-line events: a Java stack trace, a Python traceback or a Go panic is one event with
//! the line that announced it. Lines longer than [`MAX_LINE_BYTES`] are cut.

/// Longest line kept, in bytes; the rest of a longer line is dropped (and counted).
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// One event: its first line (0-based) and its text, lines joined by `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// 0-based index of its first line in the input.
    pub line: usize,
    /// How many input lines it spans.
    pub lines: usize,
    /// The text of all its lines.
    pub text: String,
}

impl Event {
    /// The first line, which carries the header and the message.
    pub fn head(&self) -> &str {
        self.text.split('\n').next().unwrap_or_default()
    }
}

/// What the event being built is in the middle of.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Nothing,
    Traceback,
    Panic,
}

/// Groups lines into events; returns them and how many lines were cut to [`MAX_LINE_BYTES`].
/// Blank lines outside a Go panic are skipped. CRLF line endings are accepted.
pub fn events(text: &str) -> (Vec<Event>, usize) {
    let mut out: Vec<Event> = Vec::new();
    let mut open = Open::Nothing;
    let mut cut = 0;
    for (n, raw) in text.split('\n').enumerate() {
        let mut line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.len() > MAX_LINE_BYTES {
            let mut end = MAX_LINE_BYTES;
            while !line.is_char_boundary(end) {
                end -= 1;
            }
            line = &line[..end];
            cut += 1;
        }
        let joins = match out.last() {
            Some(_) => continues(line, open),
            None => false,
        };
        if line.trim().is_empty() && !(joins && open == Open::Panic) {
            continue;
        }
        if joins {
            if let Some(event) = out.last_mut() {
                event.text.push('\n');
                event.text.push_str(line);
                event.lines = n + 1 - event.line;
            }
            if open == Open::Traceback && !line.starts_with([' ', '\t']) && !line.starts_with("Traceback") {
                open = Open::Nothing;
            }
        } else {
            out.push(Event { line: n, lines: 1, text: line.to_string() });
            open = Open::Nothing;
        }
        if line.starts_with("Traceback (most recent call last)") {
            open = Open::Traceback;
        } else if line.starts_with("panic: ") || line.contains(" panic: ") {
            open = Open::Panic;
        }
    }
    (out, cut)
}

/// Whether `line` belongs to the event before it.
fn continues(line: &str, open: Open) -> bool {
    if line.starts_with([' ', '\t']) && !line.trim().is_empty() {
        return true;
    }
    let starts = |p: &str| line.starts_with(p);
    if starts("Caused by:") || starts("Suppressed:") || starts("Traceback (most recent call last)") {
        return true;
    }
    match open {
        Open::Traceback => !line.trim().is_empty(),
        Open::Panic => {
            line.trim().is_empty()
                || starts("goroutine ")
                || starts("exit status")
                || starts("[signal ")
                || (line.ends_with(')') && !line.contains(' '))
                || line.starts_with("created by ")
        }
        Open::Nothing => is_exception_head(line),
    }
}

/// `java.lang.IllegalStateException: boom` or `ValueError: x`, with no header before it.
fn is_exception_head(line: &str) -> bool {
    let name = line.split([':', ' ']).next().unwrap_or_default();
    (name.ends_with("Exception") || name.ends_with("Error"))
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'$' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_traces_stay_one_event() {
        let log = "2024-01-15 10:00:00 ERROR [main] a.B - request failed\n\
                   java.lang.IllegalStateException: boom\n\
                   \tat a.B.run(B.java:10)\n\
                   Caused by: java.io.IOException: closed\n\
                   \t... 3 more\n\
                   2024-01-15 10:00:01 INFO [main] a.B - next\n\
                   Traceback (most recent call last):\n  File \"x.py\", line 1, in <module>\nValueError: bad\n\
                   2024-01-15 10:00:02 INFO after\n\
                   panic: runtime error: index out of range\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1d\nexit status 2\n\
                   2024-01-15 10:00:03 INFO done\r\n";
        let (events, cut) = events(log);
        let sizes: Vec<usize> = events.iter().map(|e| e.lines).collect();
        assert_eq!(sizes, vec![5, 4, 1, 6, 1]);
        assert_eq!(cut, 0);
        assert_eq!(events[4].text, "2024-01-15 10:00:03 INFO done");
    }
}
