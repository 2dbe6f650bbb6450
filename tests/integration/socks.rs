//! SOCKS5 proxies: `-x socks5://`, `-x socks5h://` and `--socks5-hostname`, through a minimal
//! SOCKS5 proxy written here (RFC 1928: no authentication, CONNECT to an IPv4 address or a
//! domain name, then relay) that connects only to loopback and logs each CONNECT.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use crate::support::{Site, hops, ok, redirect};

/// A SOCKS5 proxy on 127.0.0.1; `connects` holds each CONNECT's `address:port` as asked for (an
/// IPv4 address, or a name for the proxy to resolve).
struct Socks5 {
    port: u16,
    connects: Arc<Mutex<Vec<String>>>,
}

impl Socks5 {
    fn start() -> Socks5 {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let connects = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&connects);
        thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let log = Arc::clone(&log);
                thread::spawn(move || {
                    let _ = serve(client, &log);
                });
            }
        });
        Socks5 { port, connects }
    }

    fn connects(&self) -> Vec<String> {
        self.connects.lock().unwrap().clone()
    }
}

fn read_bytes(stream: &mut TcpStream, count: usize) -> io::Result<Vec<u8>> {
    let mut bytes = vec![0; count];
    stream.read_exact(&mut bytes)?;
    Ok(bytes)
}

/// One client: the method negotiation, the CONNECT request, the reply, then bytes both ways.
fn serve(mut client: TcpStream, log: &Mutex<Vec<String>>) -> io::Result<()> {
    let greeting = read_bytes(&mut client, 2)?;
    let methods = read_bytes(&mut client, usize::from(greeting[1]))?;
    if greeting[0] != 5 || !methods.contains(&0) {
        return client.write_all(&[5, 0xff]);
    }
    client.write_all(&[5, 0])?;
    let request = read_bytes(&mut client, 4)?;
    assert_eq!(&request[..3], [5, 1, 0], "a CONNECT request");
    let address = match request[3] {
        1 => {
            let ip = read_bytes(&mut client, 4)?;
            Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3]).to_string()
        }
        3 => {
            let length = read_bytes(&mut client, 1)?[0];
            String::from_utf8_lossy(&read_bytes(&mut client, usize::from(length))?).into_owned()
        }
        other => panic!("address type {other} not expected from hops here"),
    };
    let port = read_bytes(&mut client, 2)?;
    let port = u16::from_be_bytes([port[0], port[1]]);
    log.lock().unwrap().push(format!("{address}:{port}"));
    // Whatever was asked for, only loopback is ever connected to.
    let mut server = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
    client.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0])?;
    let (mut client_read, mut server_write) = (client.try_clone()?, server.try_clone()?);
    let upstream = thread::spawn(move || {
        let _ = io::copy(&mut client_read, &mut server_write);
        let _ = server_write.shutdown(Shutdown::Write);
    });
    let _ = io::copy(&mut server, &mut client);
    let _ = client.shutdown(Shutdown::Write);
    let _ = upstream.join();
    Ok(())
}

#[test]
fn socks5_proxies_carry_every_hop_and_socks5h_leaves_the_name_to_the_proxy() {
    let site = Site::start(vec![redirect("/a", 302, "/b"), ok("/b")]);
    let port = site.port();

    // socks5: hops resolves the name (here with --resolve) and asks for the address.
    let proxy = Socks5::start();
    let socks5 = format!("socks5://127.0.0.1:{}", proxy.port);
    site.run(&["-x", &socks5, "{shop}/a"])
        .code(0)
        .hops_shown(2)
        .stdout_has("200 OK");
    // One connection, kept alive for both hops.
    assert_eq!(proxy.connects(), [format!("127.0.0.1:{port}")]);
    assert_eq!(site.requests(), ["GET shop.test /a", "GET shop.test /b"]);

    // socks5h and --socks5-hostname: the proxy gets the name, which only it resolves (no
    // --resolve here: shop.test exists nowhere else).
    let proxy = Socks5::start();
    site.clear_received();
    let url = format!("http://shop.test:{port}/a");
    let socks5h = format!("socks5h://127.0.0.1:{}", proxy.port);
    hops(["--color", "never", "-x", &socks5h, &url]).code(0);
    assert_eq!(proxy.connects(), [format!("shop.test:{port}")]);
    assert_eq!(site.requests(), ["GET shop.test /a", "GET shop.test /b"]);

    let proxy = Socks5::start();
    site.clear_received();
    let hostname = format!("127.0.0.1:{}", proxy.port);
    hops(["--color", "never", "--socks5-hostname", &hostname, &url]).code(0);
    assert_eq!(proxy.connects(), [format!("shop.test:{port}")]);
    assert_eq!(site.requests(), ["GET shop.test /a", "GET shop.test /b"]);
}
