//! Log analysis: line parsing, multi-line events, template mining and the findings that matter.

pub mod drain;
pub mod line;
pub mod mask;
