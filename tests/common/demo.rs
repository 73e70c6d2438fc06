//! The demo binary as a child process (for the collectors package's tests, where Cargo
//! builds it): started on a free loopback port, killed when dropped.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// A running demo.
pub struct Demo {
    pub child: Child,
    /// `127.0.0.1:<port>`.
    pub address: String,
    stderr: Arc<Mutex<String>>,
}

impl Demo {
    /// The address, parsed.
    pub fn socket_address(&self) -> SocketAddr {
        self.address
            .parse()
            .expect("the demo prints a socket address")
    }

    /// Everything the demo wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("lock").clone()
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the demo with two HTTP workers on `127.0.0.1:0`, plus `extra` flags.
pub fn start_demo(extra: &[&str]) -> Demo {
    start_demo_with_env(extra, &[])
}

/// As [`start_demo`], with `env` added to the demo's environment.
pub fn start_demo_with_env(extra: &[&str], env: &[(&str, &str)]) -> Demo {
    let Some(program) = option_env!("CARGO_BIN_EXE_demo") else {
        panic!("only the collectors package's tests can start the demo");
    };
    let mut child = Command::new(program)
        .args(["--bind", "127.0.0.1:0", "--workers", "2"])
        .args(extra)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the demo");
    let stderr = Arc::new(Mutex::new(String::new()));
    let mut pipe = child.stderr.take().expect("piped stderr");
    let sink = Arc::clone(&stderr);
    std::thread::spawn(move || {
        let mut buffer = [0; 4096];
        while let Ok(n) = pipe.read(&mut buffer) {
            if n == 0 {
                break;
            }
            let text = String::from_utf8_lossy(&buffer[..n]).into_owned();
            eprint!("{text}");
            sink.lock().expect("lock").push_str(&text);
        }
    });
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    // The demo prints its address once bound; read_line returns when it does (or at EOF
    // if the demo died, which the panic below reports).
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the demo's first line");
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("demo did not print its address: {line:?}"))
        .to_owned();
    Demo {
        child,
        address,
        stderr,
    }
}
