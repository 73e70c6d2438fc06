//! The dashboard's files as the browser gets them: each with its content type and ETag,
//! every module import resolving to a served file, and a strict Content-Security-Policy.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use actorscope::registry::MetricsRegistry;
use actorscope::RouteOptions;
use common::http::{get, request, serve_routes, TestServer};
use common::workspace_file;

fn serve() -> TestServer {
    serve_routes(MetricsRegistry::new(), RouteOptions::default(), 1)
}

/// Every file under `dashboard/` the page may load, relative to it.
fn files_on_disk() -> BTreeSet<String> {
    let root = workspace_file("dashboard");
    let mut found = BTreeSet::new();
    let mut pending = vec![root.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            let relative = path
                .strip_prefix(&root)
                .expect("under dashboard")
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                if !["node_modules", "test", "e2e", "e2e-demo"].contains(&relative.as_str()) {
                    pending.push(path);
                }
            } else if relative.ends_with(".js")
                || relative.ends_with(".css")
                || relative.ends_with(".html")
            {
                found.insert(relative);
            }
        }
    }
    found
}

/// The `./x.js` and `../x.js` imports of a module, resolved against its path.
fn imports(module: &str, source: &str) -> Vec<String> {
    let base = Path::new(module).parent().unwrap_or(Path::new(""));
    source
        .lines()
        .filter(|line| line.trim_start().starts_with("import "))
        .filter_map(|line| line.split(" from ").nth(1))
        .filter_map(|target| {
            target
                .trim()
                .trim_end_matches(';')
                .strip_prefix('"')?
                .strip_suffix('"')
                .map(str::to_owned)
        })
        .map(|target| {
            let mut parts: Vec<String> = base
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            for piece in target.split('/') {
                match piece {
                    "." => {}
                    ".." => {
                        parts.pop();
                    }
                    other => parts.push(other.to_owned()),
                }
            }
            parts.join("/")
        })
        .collect()
}

#[test]
fn every_dashboard_file_is_served_with_its_type_and_every_import_resolves() {
    let server = serve();
    let files = files_on_disk();
    assert!(
        files.contains("js/app.js") && files.contains("index.html"),
        "{files:?}"
    );
    for file in &files {
        let path = if file == "index.html" {
            "/debug/".to_owned()
        } else {
            format!("/debug/{file}")
        };
        let response = get(server.address(), &path, &[]);
        assert_eq!(
            response.status, 200,
            "{path} is not served: add it to src/web/dashboard.rs"
        );
        let expected = match file.rsplit('.').next() {
            Some("js") => "text/javascript; charset=utf-8",
            Some("css") => "text/css; charset=utf-8",
            _ => "text/html; charset=utf-8",
        };
        assert_eq!(response.header("content-type"), Some(expected), "{path}");
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        let on_disk = std::fs::read(workspace_file(&format!("dashboard/{file}"))).expect("read");
        assert_eq!(response.body, on_disk, "{path} is the file as built");
        if file.ends_with(".js") {
            for target in imports(file, &response.text()) {
                assert!(
                    files.contains(&target),
                    "{file} imports {target}, which is not a dashboard file"
                );
            }
        }
    }
}

#[test]
fn the_page_has_a_strict_policy_and_assets_revalidate_by_etag() {
    let server = serve();
    let page = get(server.address(), "/debug/", &[]);
    let policy = page.header("content-security-policy").expect("a policy");
    assert!(
        policy.contains("script-src 'self'") && policy.contains("object-src 'none'"),
        "{policy}"
    );
    assert!(
        !policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"),
        "{policy}"
    );
    assert!(!page.text().contains("<script>"), "no inline scripts");
    // Cross-origin isolated: the page's clock is precise to microseconds, not 0.1 ms
    // (what the frame-time budget is read with), and it loads nothing from elsewhere.
    assert_eq!(
        page.header("cross-origin-opener-policy"),
        Some("same-origin")
    );
    assert_eq!(
        page.header("cross-origin-embedder-policy"),
        Some("require-corp")
    );
    let etag = page.header("etag").expect("an ETag").to_owned();
    let again = get(
        server.address(),
        "/debug/",
        &[&format!("If-None-Match: {etag}")],
    );
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let changed = get(server.address(), "/debug/", &["If-None-Match: \"other\""]);
    assert_eq!(changed.status, 200);
    let script = get(server.address(), "/debug/js/app.js", &[]);
    assert_ne!(
        script.header("etag"),
        Some(etag.as_str()),
        "each file has its own ETag"
    );
    let post = request(server.address(), "POST", "/debug/js/app.js", &[], b"x");
    assert_eq!(post.status, 405);
    assert_eq!(
        get(server.address(), "/debug/js/missing.js", &[]).status,
        404
    );
}
