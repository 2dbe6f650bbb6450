//! The human view of a chain: one block per hop, written as soon as the hop is complete, then
//! the chain's end (error, loop, hints, summary, diagnosis, checks) once it is over.
//!
//! Colors come from `colored`, whose global override the trace and demo modes set once from the
//! config; this module only names styles by meaning (status class, warning, dim) through the
//! helpers at the bottom.

use std::io::{self, Write};
use std::time::Duration;

use colored::{ColoredString, Colorize};

use super::escape::shown;

use crate::model::{
    Analysis, Chain, Hop, HstsRecord, Outcome, Redactor, RefreshSource, Timing, Via, Warning,
    plural,
};

#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    pub verbose: bool,
    pub redactor: Redactor,
}

const INDENT: &str = "    ";

/// One hop's block, written as soon as the hop is complete; `first` is the chain's first hop.
/// The blank line after a block is written with the next block or by [`end`], which may first
/// have to put the chain's error under it.
pub fn hop(hop: &Hop, first: bool, options: TextOptions, out: &mut dyn Write) -> io::Result<()> {
    if !first {
        writeln!(out)?;
    }
    render_hop(hop, options, out)
}

/// What is known only when the chain is over, after the hops [`hop`] has shown: the error, the
/// loop, the hints the analysis found, the summary, the diagnosis and the checks.
pub fn end(
    chain: &Chain,
    analysis: &Analysis,
    options: TextOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let error = chain.outcome.error();
    if let Some(last) = chain.hops.last() {
        // A chain stops at its last hop or at the one after it, never further back.
        if let Some(error) = error.filter(|e| e.hop == last.index) {
            writeln!(
                out,
                "{INDENT}{} {}",
                "✗".red().bold(),
                shown(&options.redactor.text(error.message)).red()
            )?;
        }
        writeln!(out)?;
    }
    let loop_info = chain.outcome.loop_info();
    if let Some(error) = error.filter(|e| e.hop > chain.hops.len() && loop_info.is_none()) {
        writeln!(
            out,
            "{:>2}  {} {}",
            error.hop,
            "✗".red().bold(),
            shown(&options.redactor.text(error.message)).red()
        )?;
        writeln!(out)?;
    }
    render_late_warnings(chain, out)?;
    writeln!(out, "{}", summary_line(chain, analysis, options.redactor))?;
    if let Some(diagnosis) = &analysis.diagnosis {
        writeln!(out)?;
        writeln!(out, "{}", shown(&analysis.headline).bold())?;
        write_paragraph(out, "Why:", &shown(&diagnosis.explanation))?;
        write_paragraph(out, "Fix:", &shown(&diagnosis.fix))?;
    }
    for check in &analysis.checks {
        let hop = check
            .hop
            .map_or(String::new(), |hop| format!(" (hop {hop})"));
        if check.ok {
            writeln!(
                out,
                "{} --{}: {}",
                "✓".green().bold(),
                check.check,
                check.actual
            )?;
        } else {
            writeln!(
                out,
                "{} --{}: expected {}, got {}{hop}",
                "✗".red().bold(),
                check.check,
                check.expected,
                check.actual.red()
            )?;
        }
    }
    Ok(())
}

fn render_hop(hop: &Hop, options: TextOptions, out: &mut dyn Write) -> io::Result<()> {
    let redaction = options.redactor;
    let via = if hop.via == Via::Refresh {
        " (via refresh)".dimmed().to_string()
    } else {
        String::new()
    };
    writeln!(
        out,
        "{:>2}  {} {}{via}",
        hop.index,
        hop.method.bold(),
        redaction.url(&hop.url)
    )?;
    if options.verbose {
        for (name, value) in &hop.request_headers {
            writeln!(
                out,
                "{INDENT}{} {}: {}",
                ">".dimmed(),
                shown(name),
                shown(&redaction.header_value(name, value))
            )?;
        }
        if let Some(bytes) = hop.body_bytes {
            writeln!(
                out,
                "{INDENT}{} {}",
                ">".dimmed(),
                format!("[body: {}]", plural(bytes as u64, "byte")).dimmed()
            )?;
        }
    }
    let mut facts = vec![hop.http_version.clone()];
    if let Some(addr) = hop.remote_addr {
        facts.push(addr.to_string());
    }
    facts.push(millis(hop.timing.total()));
    if let Some(proxy) = &hop.proxy {
        facts.push(format!("via proxy {}", redaction.text(proxy)));
    }
    if hop.synthetic {
        facts = vec!["(Non-Authoritative-Reason: HSTS)  no request sent".to_owned()];
    }
    writeln!(
        out,
        "{INDENT}{}  {}",
        status_style(
            hop.status,
            &format!("{} {}", hop.status, shown(&hop.reason))
        ),
        facts.join("  ").dimmed()
    )?;
    if let Some(tls) = hop.tls.as_ref().filter(|_| options.verbose) {
        render_tls(tls, out)?;
    }
    if options.verbose && !hop.synthetic {
        writeln!(out, "{INDENT}{}", timing_line(&hop.timing).dimmed())?;
    }
    if let Some(error) = hop.retried.as_ref().filter(|_| options.verbose) {
        // A message: masked even with --show-secrets, as the error line is.
        writeln!(
            out,
            "{INDENT}{} the reused connection closed before any answer ({}); sent again on a new \
             connection",
            "retried:".yellow(),
            shown(&Redactor::default().text(error))
        )?;
    }
    if options.verbose {
        for (name, value) in &hop.response_headers {
            writeln!(
                out,
                "{INDENT}{} {}: {}",
                "<".dimmed(),
                shown(name),
                shown(&redaction.header_value(name, value))
            )?;
        }
    }
    if !hop.locations.is_empty() {
        let location: Vec<String> = hop
            .locations
            .iter()
            .map(|value| shown(&redaction.text(value)).into_owned())
            .collect();
        let location = location.join(", ");
        match &hop.next {
            Some(next) if hop.locations != [next.url.as_str()] => writeln!(
                out,
                "{INDENT}Location: {location}  {} {}",
                "→".dimmed(),
                redaction.url(&next.url).underline()
            )?,
            _ => writeln!(out, "{INDENT}Location: {location}")?,
        }
    }
    render_caching(hop, out)?;
    if let Some(record) = &hop.hsts {
        render_hsts(record, out)?;
    }
    if let Some(refresh) = &hop.refresh {
        let source = match refresh.source {
            RefreshSource::Header => "Refresh",
            RefreshSource::Meta => "<meta refresh>",
        };
        writeln!(
            out,
            "{INDENT}{source}: {}  {} {}",
            shown(&redaction.text(&refresh.raw)),
            "→".dimmed(),
            redaction.url(&refresh.url).underline()
        )?;
        if hop.next.is_none() && hop.not_followed.is_none() {
            writeln!(
                out,
                "{INDENT}{}",
                format!(
                    "browsers go there after {} s; --follow-refresh follows it",
                    refresh.delay_seconds
                )
                .dimmed()
            )?;
        }
    }
    if let Some(reason) = &hop.not_followed {
        writeln!(out, "{INDENT}{}", reason.dimmed())?;
    }
    for cookie in &hop.set_cookies {
        let verdict = match (&cookie.reason, cookie.stored) {
            (None, _) | (Some(_), true) => "(stored)".green(),
            (Some(reason), false) => format!("(not stored: {})", shown(reason)).yellow(),
        };
        writeln!(
            out,
            "{INDENT}Set-Cookie: {}  {verdict}",
            shown(&redaction.set_cookie(&cookie.raw))
        )?;
    }
    if let Some(next) = &hop.next {
        let method = if next.method_changed {
            format!("{} → {}", hop.method, next.method).yellow().bold()
        } else {
            format!("{} kept", next.method).normal()
        };
        let body = match (next.body_kept, hop.body_bytes) {
            (Some(true), Some(bytes)) => {
                format!(", body kept ({})", plural(bytes as u64, "byte")).normal()
            }
            (Some(false), Some(bytes)) => {
                format!(", body dropped ({})", plural(bytes as u64, "byte")).yellow()
            }
            _ => "".normal(),
        };
        writeln!(out, "{INDENT}{} {method}{body}", "next:".dimmed())?;
        for stripped in &next.stripped_headers {
            writeln!(
                out,
                "{INDENT}      removed {}: {}",
                crate::redirect::request::display_name(&stripped.name).yellow(),
                stripped.reason
            )?;
        }
    }
    for warning in hop.warnings.iter().filter(|w| !w.code.found_after_chain()) {
        writeln!(
            out,
            "{INDENT}{} {}",
            warning_label(warning),
            shown(&warning.message)
        )?;
    }
    Ok(())
}

/// The warnings the analysis added to hops after the chain ended (the HSTS hints): their hops
/// were already shown, so they come after the chain, above the summary, with their hop number.
fn render_late_warnings(chain: &Chain, out: &mut dyn Write) -> io::Result<()> {
    let mut any = false;
    for hop in &chain.hops {
        for warning in hop.warnings.iter().filter(|w| w.code.found_after_chain()) {
            writeln!(
                out,
                "hop {}  {} {}",
                hop.index,
                warning_label(warning),
                shown(&warning.message)
            )?;
            any = true;
        }
    }
    if any {
        writeln!(out)?;
    }
    Ok(())
}

/// Good news is not a warning, though it travels with them.
fn warning_label(warning: &Warning) -> ColoredString {
    if warning.is_note() {
        "i note:".green().bold()
    } else {
        "! warning:".yellow().bold()
    }
}

fn summary_line(chain: &Chain, analysis: &Analysis, redaction: Redactor) -> String {
    // A request that failed on the network was still made.
    let failed_request = matches!(
        &chain.outcome,
        Outcome::NetworkError { hop, .. } if *hop > chain.hops.len()
    );
    let sent = chain.hops.iter().filter(|hop| !hop.synthetic).count();
    let requests = sent + usize::from(failed_request);
    let redirects = chain.redirects();
    let head = format!(
        "{}, {}, {}",
        plural(requests as u64, "request"),
        plural(redirects as u64, "redirect"),
        millis(chain.time)
    );
    let tail = match (&chain.outcome, chain.last_response()) {
        (Outcome::Final, Some(last)) => {
            let status = status_style(
                last.status,
                &format!("{} {}", last.status, shown(&last.reason)),
            );
            match analysis.first_failure() {
                Some(failure) => format!(
                    "{} final {status} at {}",
                    format!("FAIL: {};", shown(&failure)).red().bold(),
                    redaction.url(&last.url)
                ),
                None => format!("OK: final {status} at {}", redaction.url(&last.url)),
            }
        }
        (Outcome::Loop(_), _) => "stopped: redirect loop".red().bold().to_string(),
        (Outcome::TooManyRedirects { .. }, _) => {
            "stopped: too many redirects".red().bold().to_string()
        }
        (Outcome::BadLocation { .. }, _) => "stopped: Location cannot be followed"
            .red()
            .bold()
            .to_string(),
        (Outcome::NetworkError { .. }, _) | (Outcome::Final, None) => {
            "stopped: network error".red().bold().to_string()
        }
        (Outcome::Interrupted { signal, .. }, _) => {
            format!("stopped: interrupted by {}", signal.name())
                .red()
                .bold()
                .to_string()
        }
    };
    format!("{head} · {tail}")
}

fn render_hsts(record: &HstsRecord, out: &mut dyn Write) -> io::Result<()> {
    if let Some(upgrade) = &record.upgrade {
        let scope = if upgrade.include_subdomains {
            ", includeSubDomains"
        } else {
            ""
        };
        return writeln!(
            out,
            "{INDENT}{} upgraded to https by {} (entry {}{scope})",
            "HSTS:".green().bold(),
            upgrade.source,
            upgrade.matched
        );
    }
    let Some(header) = &record.header else {
        return Ok(());
    };
    let verdict = match (&record.error, &record.ignored_reason) {
        (Some(error), _) => format!("(invalid: {})", shown(error)).yellow(),
        (None, Some(reason)) => format!("(ignored: {})", shown(reason)).yellow(),
        (None, None) => {
            let mut facts = vec![record.action.as_str().to_owned()];
            if let Some(age) = record.max_age_effective {
                facts.push(if record.max_age != Some(age) {
                    format!("max-age {age} s, capped at one year")
                } else {
                    format!("max-age {age} s")
                });
            }
            if record.include_subdomains {
                facts.push("includeSubDomains".into());
            }
            if record.preload {
                facts.push("preload".into());
            }
            format!("({})", facts.join(", ")).green()
        }
    };
    writeln!(
        out,
        "{INDENT}Strict-Transport-Security: {}  {verdict}",
        shown(header)
    )
}

/// `-v`: the connection's TLS and the server's certificate, under the status line.
fn render_tls(tls: &crate::model::TlsRecord, out: &mut dyn Write) -> io::Result<()> {
    use crate::model::ClientCertificate;
    let mut line = tls
        .version
        .as_deref()
        .map_or_else(|| "TLS".to_owned(), |v| v.replacen("TLSv", "TLS ", 1));
    if let Some(cipher) = &tls.cipher {
        line = format!("{line} {cipher}");
    }
    match &tls.alpn {
        Some(protocol) => line.push_str(&format!(", ALPN {}", shown(protocol))),
        None => line.push_str(", no ALPN"),
    }
    match tls.client_certificate {
        Some(ClientCertificate::Sent) => line.push_str(", client certificate sent"),
        Some(ClientCertificate::Requested) => {
            line.push_str(", client certificate asked for, none sent");
        }
        None => {}
    }
    if !tls.new_connection {
        line.push_str(" (connection reused)");
    }
    writeln!(out, "{INDENT}{}", line.dimmed())?;
    let Some(certificate) = &tls.certificate else {
        return Ok(());
    };
    let now = time::OffsetDateTime::now_utc();
    let subject = if certificate.subject.is_empty() {
        "no subject".into()
    } else {
        shown(&certificate.subject)
    };
    let names = if certificate.names.is_empty() {
        "no names".to_owned()
    } else {
        format!(
            "names {}",
            shown(&crate::net::list_names(&certificate.names, 5))
        )
    };
    let left = certificate.not_after - now;
    let verb = if left.is_negative() {
        "expired"
    } else {
        "expires"
    };
    let expiry = format!(
        "{verb} {} ({})",
        crate::net::format_date(certificate.not_after),
        crate::net::relative(certificate.not_after, now)
    );
    let expiry = if left.is_negative() {
        expiry.red().bold()
    } else if certificate.expires_soon(now) {
        expiry.yellow()
    } else {
        expiry.normal()
    };
    writeln!(
        out,
        "{INDENT}{} {subject}, issued by {}, {names}, {expiry}",
        "certificate:".dimmed(),
        shown(&certificate.issuer)
    )
}

/// `Retry-After`, and how long browsers keep a permanent redirect: a 301 or 308 is cached, with
/// no expiry unless `Cache-Control` says otherwise, so a fixed redirect can outlive its fix.
fn render_caching(hop: &Hop, out: &mut dyn Write) -> io::Result<()> {
    if let Some(retry) = hop.response_header("retry-after") {
        writeln!(out, "{INDENT}Retry-After: {}", shown(retry))?;
    }
    if hop.synthetic || !matches!(hop.status, 301 | 308) {
        return Ok(());
    }
    match hop.response_header("cache-control") {
        Some(cache) => writeln!(
            out,
            "{INDENT}Cache-Control: {}  {}",
            shown(cache),
            "(how long browsers keep this permanent redirect)".dimmed()
        ),
        None => writeln!(
            out,
            "{INDENT}{}",
            "no Cache-Control: browsers may keep this permanent redirect indefinitely".dimmed()
        ),
    }
}

/// Where a hop's time went: `time: dns 1.0 ms, connect 2.0 ms (TLS 1.5 ms), first byte 4.0 ms,
/// total 4.2 ms`, or `connection reused` when no connection was opened.
fn timing_line(timing: &Timing) -> String {
    let mut parts = Vec::new();
    if let Some(dns) = timing.dns() {
        parts.push(format!("dns {}", millis(dns)));
    }
    match (timing.connect(), timing.tls()) {
        (Some(connect), Some(tls)) => {
            parts.push(format!("connect {} (TLS {})", millis(connect), millis(tls)))
        }
        (Some(connect), None) => parts.push(format!("connect {}", millis(connect))),
        (None, _) => parts.push("connection reused".to_owned()),
    }
    parts.push(format!("first byte {}", millis(timing.first_byte())));
    parts.push(format!("total {}", millis(timing.total())));
    format!("time: {}", parts.join(", "))
}

/// A labelled paragraph, wrapped to a comfortable width and indented under its label.
fn write_paragraph(out: &mut dyn Write, label: &str, text: &str) -> io::Result<()> {
    const WIDTH: usize = 96;
    let mut line = format!("  {}", label.bold());
    let mut visible = 2 + label.len();
    for word in text.split_whitespace() {
        if visible + 1 + word.len() > WIDTH {
            writeln!(out, "{line}")?;
            line = format!("{:width$}", "", width = 3 + label.len());
            visible = 3 + label.len();
        } else {
            line.push(' ');
            visible += 1;
        }
        line.push_str(word);
        visible += word.chars().count();
    }
    writeln!(out, "{line}")
}

fn millis(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{ms:.1} ms")
    }
}

/// Green for success, cyan for redirects, yellow for other 3xx/1xx, red for errors.
fn status_style(status: u16, text: &str) -> ColoredString {
    match status {
        200..=299 => text.green().bold(),
        301 | 302 | 303 | 307 | 308 => text.cyan().bold(),
        400..=599 => text.red().bold(),
        _ => text.yellow().bold(),
    }
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;
    use crate::model::LoopKind;
    use crate::model::{
        CertificateInfo, Diagnosis, HstsRecord, Outcome, RefreshSeen, SetCookie, TlsRecord,
        Warning, WarningCode, testing,
    };

    /// The whole chain at once, as the trace mode shows it piece by piece: every hop's block
    /// with [`hop`], then its end with [`end`].
    fn render(
        chain: &Chain,
        analysis: &Analysis,
        options: TextOptions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        for (number, each) in chain.hops.iter().enumerate() {
            hop(each, number == 0, options, out)?;
        }
        end(chain, analysis, options, out)
    }

    /// Every place the text view prints what a server sent, each poisoned with a control or
    /// bidi character: none reaches the output raw.
    #[test]
    fn server_text_is_escaped_everywhere_it_is_shown() {
        const EVIL: &str = "\x1b[2J\x07\u{9b}\u{202e}\u{2066}\x7f\t";
        let evil = |what: &str| format!("{what}{EVIL}");
        let mut hop = testing::hop(1, "https://a.test/", 301, Some("/next"));
        hop.reason = evil("Moved");
        hop.request_headers = vec![(evil("x-req"), evil("value"))];
        hop.response_headers = vec![
            (evil("x-res"), evil("value")),
            ("retry-after".into(), evil("5")),
            ("cache-control".into(), evil("max-age=1")),
        ];
        hop.locations = vec![evil("/next")];
        hop.tls = Some(Box::new(TlsRecord {
            version: Some("TLSv1.3".into()),
            cipher: None,
            alpn: Some(evil("h2")),
            new_connection: true,
            client_certificate: None,
            certificate: Some(CertificateInfo {
                subject: evil("CN=a.test"),
                issuer: evil("CN=CA"),
                names: vec![evil("a.test")],
                not_before: OffsetDateTime::UNIX_EPOCH,
                not_after: OffsetDateTime::UNIX_EPOCH,
            }),
        }));
        hop.hsts = Some(Box::new(HstsRecord {
            header: Some(evil("max-age=1")),
            error: Some(evil("bad")),
            ..HstsRecord::default()
        }));
        hop.refresh = Some(Box::new(RefreshSeen {
            source: crate::model::RefreshSource::Meta,
            raw: evil("0; url=/x"),
            delay_seconds: 0,
            url: url::Url::parse("https://a.test/x").unwrap(),
        }));
        hop.set_cookies = vec![SetCookie {
            raw: evil("a=1; Path=/"),
            stored: false,
            reason: Some(evil("Domain=")),
        }];
        hop.warnings = vec![Warning::new(WarningCode::RefreshUnusable, evil("quoted"))];
        let mut last = testing::hop(2, "https://a.test/next", 200, None);
        last.reason = evil("OK");
        let mut chain = testing::chain(
            vec![hop, last],
            Outcome::NetworkError {
                hop: 2,
                kind: crate::model::NetworkErrorKind::Io,
                message: evil("reading"),
            },
        );
        let analysis = Analysis {
            diagnosis: Some(Diagnosis {
                kind: LoopKind::CookieNotStored,
                hops: vec![1],
                title: evil("cookie"),
                explanation: evil("Hop 1 sets the cookie"),
                fix: evil("Fix it"),
            }),
            checks: vec![],
            headline: evil("Loop"),
            verdict: String::new(),
        };
        colored::control::set_override(false);
        let options = TextOptions {
            verbose: true,
            redactor: Redactor::default(),
        };
        let mut out = Vec::new();
        render(&chain, &analysis, options, &mut out).unwrap();
        // The same chain, ended on its final response, shows the last reason in the summary.
        chain.outcome = Outcome::Final;
        render(&chain, &analysis, options, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let raw: Vec<char> = text
            .chars()
            .filter(|&c| c != '\n' && super::super::escape::is_unsafe(c))
            .collect();
        assert!(raw.is_empty(), "raw {raw:?} in\n{text}");
        let escaped = "\\x1b[2J\\x07\\u{9b}\\u{202e}\\u{2066}\\x7f\\x09";
        for shown in [
            "Moved",
            "x-req",
            "value",
            "Location: /next",
            "ALPN h2",
            "CN=a.test",
            "CN=CA",
            "names a.test",
            "max-age=1",
            "invalid: bad",
            "0; url=/x",
            "a=****; Path=/",
            "not stored: Domain=",
            "quoted",
            "reading",
            "Loop",
            "Hop 1 sets the cookie",
            "Fix it",
            "final 200 OK",
        ] {
            assert!(
                text.contains(&format!("{shown}{escaped}")),
                "{shown} not shown escaped in\n{text}"
            );
        }
    }
}
