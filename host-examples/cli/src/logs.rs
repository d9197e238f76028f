//! `corridor logs analyze`: a log file through `logs_analyze` in pieces (so any size fits the
//! plugin's memory), its findings printed with their context, scrubbed; `--follow` keeps
//! reading what is appended.

use crate::plugin::Corridor;
use crate::{ask, Failure};
use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::Duration;

/// Most bytes sent in one call.
const PIECE_BYTES: usize = 8 << 20;
/// How often `--follow` looks for new lines.
const FOLLOW_POLL: Duration = Duration::from_millis(500);

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARN: Style = AnsiColor::Yellow.on_default().bold();
const DIM: Style = Style::new().dimmed();

/// What `logs analyze` was asked.
pub struct Analyze<'a> {
    /// The log file.
    pub file: &'a Path,
    /// Normal lines of context before and after each finding.
    pub context: usize,
    /// Keep reading what is appended to the file.
    pub follow: bool,
    /// Print the engine's answers as JSON lines.
    pub json: bool,
}

/// The analysis so far: the miner's state, the lines already read, and the (scrubbed)
/// findings with their context, the evidence for an explanation.
struct Session {
    state: Value,
    lines_before: usize,
    findings: usize,
    evidence: Vec<String>,
}

/// Most findings kept as evidence for an explanation.
const EVIDENCE_FINDINGS: usize = 50;

impl Analyze<'_> {
    /// Reads the file (in pieces, with a progress bar on a terminal), prints what matters, and
    /// with `follow` goes on with what is appended until interrupted. Returns the first
    /// findings with their context lines (scrubbed), as text for an explanation.
    pub fn run(&self, corridor: &mut Corridor) -> Result<String, Failure> {
        let name = self.file.display().to_string();
        let mut file = File::open(self.file).map_err(|e| Failure::Usage(format!("{name}: {e}")))?;
        let size = file.metadata().map_err(|e| Failure::Usage(format!("{name}: {e}")))?.len();
        let progress = if self.json || size <= PIECE_BYTES as u64 { ProgressBar::hidden() } else { bar(size) };
        let mut session = Session { state: Value::Null, lines_before: 0, findings: 0, evidence: Vec::new() };
        let mut pending = Vec::new();
        let mut offset = 0u64;
        loop {
            let read =
                read_more(&mut file, &mut pending, &mut offset).map_err(|e| Failure::Usage(format!("{name}: {e}")))?;
            progress.set_position(offset);
            let at_end = read == 0;
            while let Some(cut) = piece_end(&pending, at_end, self.follow) {
                let piece: Vec<u8> = pending.drain(..cut).collect();
                progress.suspend(|| self.analyze(corridor, &name, &piece, &mut session))?;
            }
            if at_end {
                if !self.follow {
                    break;
                }
                std::thread::sleep(FOLLOW_POLL);
                if file.metadata().is_ok_and(|m| m.len() < offset) {
                    offset = 0;
                    pending.clear();
                    file.seek(SeekFrom::Start(0)).map_err(|e| Failure::Usage(format!("{name}: {e}")))?;
                }
            }
        }
        progress.finish_and_clear();
        if !self.json && session.findings == 0 {
            println!("{name}: {} lines, nothing that needs attention", session.lines_before);
        }
        Ok(session.evidence.join("\n"))
    }

    /// Sends one piece of the log, prints its findings, and keeps the miner's state.
    fn analyze(&self, corridor: &mut Corridor, name: &str, piece: &[u8], session: &mut Session) -> Result<(), Failure> {
        let request = json!({
            "text": String::from_utf8_lossy(piece),
            "state": session.state,
            "options": {"context": self.context},
            "scrub": {},
        });
        let mut answer = ask(corridor, "logs_analyze", name, request)?;
        session.state = answer["state"].take();
        // The placeholders' values stay in this process: they are never printed.
        if let Some(answer) = answer.as_object_mut() {
            answer.remove("mapping");
        }
        let findings = answer["findings"].as_array().cloned().unwrap_or_default();
        if self.json {
            println!("{answer}");
        } else {
            for finding in &findings {
                print_finding(name, finding, session.lines_before);
            }
            print_summary(&answer);
        }
        for finding in findings.iter().take(EVIDENCE_FINDINGS.saturating_sub(session.findings)) {
            let context = |side: &str| {
                finding[side].as_array().into_iter().flatten().filter_map(|c| c["text"].as_str().map(str::to_string))
            };
            let event = finding["event"].as_str().map(str::to_string);
            session.evidence.extend(context("before").chain(event).chain(context("after")));
        }
        session.findings += findings.len();
        session.lines_before += answer["lines"].as_u64().unwrap_or(0) as usize;
        Ok(())
    }
}

fn bar(size: u64) -> ProgressBar {
    let bar = ProgressBar::new(size);
    let style = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// Appends what the file holds past `offset`; returns the bytes read.
fn read_more(file: &mut File, pending: &mut Vec<u8>, offset: &mut u64) -> std::io::Result<usize> {
    let mut buffer = vec![0; PIECE_BYTES];
    let read = file.read(&mut buffer)?;
    pending.extend_from_slice(&buffer[..read]);
    *offset += read as u64;
    Ok(read)
}

/// Where the next piece to send ends, or `None` when more must be read first. A full piece
/// ends after the last line that starts a new event (not an indented continuation) within
/// [`PIECE_BYTES`]; at the end of the input everything goes, and when `follow` has caught up,
/// every complete line.
fn piece_end(pending: &[u8], at_end: bool, follow: bool) -> Option<usize> {
    let complete = pending.iter().take(PIECE_BYTES).rposition(|&c| c == b'\n');
    if pending.len() >= PIECE_BYTES {
        let complete = complete?;
        let starts_event = |i: usize| pending.get(i + 1).is_some_and(|c| !c.is_ascii_whitespace());
        let cut = (0..complete).rev().filter(|&i| pending[i] == b'\n').find(|&i| starts_event(i));
        return Some(cut.unwrap_or(complete) + 1);
    }
    match (at_end, follow) {
        _ if pending.is_empty() => None,
        (true, false) => Some(pending.len()),
        (true, true) => complete.map(|c| c + 1),
        (false, _) => None,
    }
}

fn print_finding(name: &str, finding: &Value, lines_before: usize) {
    let line = |v: &Value| v.as_u64().unwrap_or(0) as usize + lines_before;
    let style = match finding["level"].as_str() {
        Some("error" | "fatal" | "critical") => ERROR,
        Some("warn") => WARN,
        _ => Style::new().bold(),
    };
    let count = finding["count"].as_u64().unwrap_or(1);
    let repeats =
        if count > 1 { format!(" (×{count}, last at line {})", line(&finding["last_line"])) } else { String::new() };
    anstream::println!(
        "{style}{name}:{}: {}{style:#}{repeats}",
        line(&finding["line"]),
        finding["reason"].as_str().unwrap_or("")
    );
    anstream::println!("  {DIM}template:{DIM:#} {}", finding["template"].as_str().unwrap_or(""));
    for context in finding["before"].as_array().into_iter().flatten() {
        anstream::println!("  {DIM}{:>6} │ {}{DIM:#}", line(&context["line"]), context["text"].as_str().unwrap_or(""));
    }
    for (i, text) in finding["event"].as_str().unwrap_or("").lines().enumerate() {
        anstream::println!("  {style}{:>6} │ {text}{style:#}", line(&finding["line"]) + i);
    }
    for context in finding["after"].as_array().into_iter().flatten() {
        anstream::println!("  {DIM}{:>6} │ {}{DIM:#}", line(&context["line"]), context["text"].as_str().unwrap_or(""));
    }
    println!();
}

fn print_summary(answer: &Value) {
    let scrubbed: Vec<String> = answer["scrubbed"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(kind, n)| format!("{n} {}", kind.to_lowercase()))
        .collect();
    let templates = answer["templates"].as_array().map_or(0, Vec::len);
    let mut summary = format!(
        "{} lines, {} events, {templates} templates, {} findings",
        answer["lines"],
        answer["events"],
        answer["findings"].as_array().map_or(0, Vec::len)
    );
    if !scrubbed.is_empty() {
        summary.push_str(&format!("; scrubbed from the findings: {}", scrubbed.join(", ")));
    }
    anstream::println!("{DIM}{summary}{DIM:#}");
    for warning in answer["warnings"].as_array().into_iter().flatten() {
        anstream::println!("{WARN}warning:{WARN:#} {}", warning["message"].as_str().unwrap_or(""));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_end_at_event_starts_and_whole_input_at_the_end() {
        assert_eq!(piece_end(b"a\nb", true, false), Some(3));
        assert_eq!(piece_end(b"a\nb", true, true), Some(2));
        assert_eq!(piece_end(b"a\nb\n", false, false), None);
        assert_eq!(piece_end(b"", true, false), None);
        let mut big = b"x\n  at frame\n".repeat(PIECE_BYTES / 13 + 2);
        big.truncate(PIECE_BYTES + 5);
        let cut = piece_end(&big, false, false).unwrap();
        assert!(cut <= PIECE_BYTES && big[cut] == b'x', "a piece ends before an event starts");
    }
}
