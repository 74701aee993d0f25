//! A TCP proxy in front of PostgreSQL that a test can cut and restore, to see how the
//! service behaves when its database goes away without stopping the shared server.
//! It runs on its own runtime: the service connects synchronously at start-up, which
//! would block a proxy sharing the test's single-threaded runtime.

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio::task::{JoinHandle, JoinSet};

/// Forwards `127.0.0.1:port` to a target while running.
pub struct TcpProxy {
    /// Local port the proxy listens on (kept across stop/resume).
    pub port: u16,
    target: SocketAddr,
    runtime: Option<Runtime>,
    accept: Option<JoinHandle<()>>,
}

impl TcpProxy {
    /// Starts forwarding to `target`.
    pub fn start(target: SocketAddr) -> TcpProxy {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("proxy runtime");
        let listener = bind(0);
        let port = listener.local_addr().expect("proxy address").port();
        let accept = Some(runtime.spawn(forward_std(listener, target)));
        TcpProxy {
            port,
            target,
            runtime: Some(runtime),
            accept,
        }
    }

    /// Cuts every open connection and refuses new ones, like a stopped server.
    pub async fn stop(&mut self) {
        if let Some(task) = self.accept.take() {
            task.abort();
            let _ = task.await;
        }
    }

    /// Accepts connections again on the same port.
    pub async fn resume(&mut self) {
        let listener = bind(self.port);
        let runtime = self.runtime.as_ref().expect("proxy runtime");
        self.accept = Some(runtime.spawn(forward_std(listener, self.target)));
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Binds without a runtime, so it works from inside the test's runtime.
fn bind(port: u16) -> std::net::TcpListener {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("bind proxy");
    listener
        .set_nonblocking(true)
        .expect("non-blocking listener");
    listener
}

/// Re-registers a listener with the proxy's own runtime.
async fn forward_std(listener: std::net::TcpListener, target: SocketAddr) {
    if let Ok(listener) = TcpListener::from_std(listener) {
        forward(listener, target).await;
    }
}

/// Accept loop; aborting it drops the JoinSet, which aborts every forwarded connection.
async fn forward(listener: TcpListener, target: SocketAddr) {
    let mut connections = JoinSet::new();
    while let Ok((mut inbound, _)) = listener.accept().await {
        connections.spawn(async move {
            if let Ok(mut outbound) = TcpStream::connect(target).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}
