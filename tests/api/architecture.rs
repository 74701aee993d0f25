//! The layer table in docs/ARCHITECTURE.md is the rule: every `crate::…` path under `src/`
//! (in `use` lines and inline) must go to a module the table lets its module use, every module
//! under `src/` must have a row, and the table itself must have no cycle. The code is read as
//! text (comments and `#[cfg(test)]` parts left out), so the test needs no build of its own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module → the modules it may use, from the table's first and last columns.
type Table = BTreeMap<String, BTreeSet<String>>;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The rows of the table under "## Layers": backticked names in the first column are the
/// modules (`routes/`, `error.rs`), backticked names in the last the modules they may use.
fn table(markdown: &str) -> Table {
    let section = markdown
        .split("\n## ")
        .find(|s| s.starts_with("Layers"))
        .expect("docs/ARCHITECTURE.md has a \"## Layers\" section");
    let mut table = Table::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
        let (first, last) = (cells[0], cells[cells.len() - 1]);
        let uses: BTreeSet<String> = backticked(last)
            .map(|name| name.split("::").next().unwrap_or(name).to_string())
            .collect();
        for module in backticked(first) {
            let module = module.trim_end_matches('/').trim_end_matches(".rs");
            table.insert(module.to_string(), uses.clone());
        }
    }
    table
}

fn backticked(cell: &str) -> impl Iterator<Item = &str> {
    cell.split('`').skip(1).step_by(2)
}

/// The top module a file under `src/` belongs to (`src/routes/visits.rs` → `routes`).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("under src");
    let first = relative
        .components()
        .next()
        .expect("a path")
        .as_os_str()
        .to_string_lossy()
        .to_string();
    first.trim_end_matches(".rs").to_string()
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The code of a file without comments and without its test module.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|line| match line.find("//") {
            // `//` inside a string (a URL) is rare in paths that matter; cut at the first.
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first segment after each `crate::` (and each top-level item of `crate::{a, b::c}`),
/// leaving out macros (`crate::name!`), which are exported at the crate root.
fn used_modules(code: &str) -> Vec<String> {
    let mut used = vec![];
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 || (depth == 1 && c == ',') {
                    used.extend(first_segment(item.trim()));
                    item.clear();
                    if depth == 0 {
                        break;
                    }
                } else {
                    item.push(c);
                }
            }
        } else {
            used.extend(first_segment(rest));
        }
    }
    used
}

fn first_segment(path: &str) -> Option<String> {
    let name: String = path
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let after = &path[name.len()..];
    (!name.is_empty() && !after.starts_with('!')).then_some(name)
}

#[test]
fn every_import_under_src_follows_the_layer_table() {
    let root = root();
    let markdown = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).expect("the doc");
    let table = table(&markdown);
    let src = root.join("src");
    let mut files = vec![];
    rust_files(&src, &mut files);
    files.sort();

    // Only the crate's modules count: `crate::vocabulary` and the like are exported macros.
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut unlisted = BTreeSet::new();
    let mut broken = vec![];
    for file in &files {
        let module = module_of(&src, file);
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(allowed) = table.get(&module) else {
            unlisted.insert(module);
            continue;
        };
        let text = std::fs::read_to_string(file).expect("readable");
        for used in used_modules(&code(&text)) {
            if used != module && modules.contains(&used) && !allowed.contains(&used) {
                let shown = file.strip_prefix(&root).unwrap_or(file).display();
                broken.push(format!("{shown}: {module} uses {used}"));
            }
        }
    }
    broken.sort();
    broken.dedup();
    assert!(
        unlisted.is_empty(),
        "modules without a row in docs/ARCHITECTURE.md's layer table: {unlisted:?}"
    );
    assert!(
        broken.is_empty(),
        "imports the layer table in docs/ARCHITECTURE.md does not allow:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_layer_table_has_no_cycle() {
    let markdown = std::fs::read_to_string(root().join("docs/ARCHITECTURE.md")).expect("the doc");
    let table = table(&markdown);
    assert!(table.len() >= 15, "the table was read: {table:?}");
    // Kahn's algorithm over the modules of the table; what is left over lies on a cycle.
    let mut remaining = table.clone();
    loop {
        let free: Vec<String> = remaining
            .iter()
            .filter(|(_, uses)| uses.iter().all(|u| !remaining.contains_key(u)))
            .map(|(m, _)| m.clone())
            .collect();
        if free.is_empty() {
            break;
        }
        for m in free {
            remaining.remove(&m);
        }
    }
    assert!(
        remaining.is_empty(),
        "these modules use each other in a circle: {:?}",
        remaining.keys().collect::<Vec<_>>()
    );
}

#[test]
fn the_reader_finds_what_it_is_meant_to_find() {
    // The reader itself, on known text: a check that finds nothing would pass anything.
    let code = code(
        "use crate::db::{self, DbConnection};\nuse crate::{auth::Caller, error::ApiError};\n\
         // use crate::console::x;\nlet x = crate::services::visits::time_zone(b);\n\
         crate::console_templates![\"a\"];\n#[cfg(test)]\nuse crate::matching;",
    );
    assert_eq!(used_modules(&code), ["db", "auth", "error", "services"]);
    let table = table(
        "# A\n\n## Layers\n\n| folder | what | may use |\n| --- | --- | --- |\n\
         | `routes/` | handlers | `services`, `db::run` |\n| `config.rs`, `cli.rs` | misc | |\n\n## Next\n",
    );
    assert_eq!(
        table["routes"],
        BTreeSet::from(["services".into(), "db".into()])
    );
    assert!(table["config"].is_empty() && table["cli"].is_empty());
}
