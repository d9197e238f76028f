//! The example requests and answers in `tests/contract/` are real: each request, run through
//! `contract::call`, gives exactly the answer beside it. `CORRIDOR_BLESS=1 cargo test` rewrites
//! the answers after a deliberate change of behaviour.

use corridor_core::contract::call;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/contract")
}

#[test]
fn every_example_request_gives_its_example_answer() {
    let mut checked = 0;
    for entry in std::fs::read_dir(examples()).expect("tests/contract exists") {
        let path = entry.expect("readable entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let Some(stem) = name.strip_suffix(".request.json") else { continue };
        let op = stem.split('-').next().unwrap_or(stem);
        let request = std::fs::read_to_string(&path).expect("readable request");
        let answer: Value = serde_json::from_str(&call(op, &request)).expect("answers are JSON");
        let answer_path = path.with_file_name(format!("{stem}.response.json"));
        if std::env::var_os("CORRIDOR_BLESS").is_some() {
            let text = serde_json::to_string_pretty(&answer).expect("serialisable") + "\n";
            std::fs::write(&answer_path, text).expect("writable answer");
        }
        let expected: Value = serde_json::from_str(&std::fs::read_to_string(&answer_path).expect("answer file"))
            .expect("answer files are JSON");
        assert_eq!(answer, expected, "{name}");
        checked += 1;
    }
    assert!(checked >= 2, "only {checked} examples found");
}
