//! The dependency rule from the crate docs: the hot path (`stats`) imports only `std`,
//! the model imports nothing else of the crate, the writer only those two, and the
//! registry and the encoders nothing of the actors or the web.

use std::path::Path;

fn crate_imports_outside(folder: &str, allowed: &[&str]) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(folder);
    let mut offending = Vec::new();
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("source folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source file");
            for (number, line) in text.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") {
                    continue;
                }
                let bad = code.match_indices("crate::").any(|(at, _)| {
                    let target = &code[at + "crate::".len()..];
                    !allowed.iter().any(|ok| target.starts_with(ok))
                });
                if bad {
                    offending.push(format!("{}:{}: {line}", path.display(), number + 1));
                }
            }
        }
    }
    offending
}

#[test]
fn hot_path_stats_import_nothing_of_the_crate() {
    let offending = crate_imports_outside("stats", &["stats"]);
    assert!(
        offending.is_empty(),
        "stats must import only std:\n{}",
        offending.join("\n")
    );
}

#[test]
fn model_imports_nothing_but_itself() {
    let offending = crate_imports_outside("model", &["model"]);
    assert!(
        offending.is_empty(),
        "model must stay plain data:\n{}",
        offending.join("\n")
    );
}

#[test]
fn the_writer_imports_only_the_model_and_the_stats() {
    let offending = crate_imports_outside("write", &["write", "model", "stats"]);
    assert!(
        offending.is_empty(),
        "write sits between the hot path and the model:\n{}",
        offending.join("\n")
    );
}

#[test]
fn the_registry_and_the_encoders_know_nothing_of_actors_or_the_web() {
    let registry = crate_imports_outside("registry", &["registry", "model", "write", "stats"]);
    let encode = crate_imports_outside("encode", &["encode", "model"]);
    assert!(
        registry.is_empty() && encode.is_empty(),
        "cold-path layers import only what is below them:\n{}",
        [registry, encode].concat().join("\n")
    );
}
