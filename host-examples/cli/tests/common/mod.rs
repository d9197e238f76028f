//! What the `corridor` command's tests share: the repository, the built plugin, and running
//! the command on it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The shipped plugin build, which `scripts/test.sh` makes (plugins/extism/build.sh) before the tests.
pub fn wasm() -> PathBuf {
    let path = root().join("target/corridor.wasm");
    assert!(path.is_file(), "{} missing: build it with plugins/extism/build.sh first", path.display());
    path
}

/// The `corridor` command with `args`, loading the plugin build, run from the repository root.
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_corridor"));
    command.args(args).env("CORRIDOR_PLUGIN", wasm()).current_dir(root());
    command
}
