//! The method and body of the next request: Fetch's table (POST becomes GET on 301 and 302,
//! everything but GET and HEAD becomes GET on 303, 307 and 308 keep both), with curl's opt-outs
//! (docs/rules.md §3).

use reqwest::Method;

/// curl's `--post301/302/303`: keep POST (and its body) on these statuses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeepPost {
    pub on_301: bool,
    pub on_302: bool,
    pub on_303: bool,
}

/// What happens to the request body on the way to the next hop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFate {
    /// There was no body.
    Absent,
    /// The same bytes are sent again.
    Replayed,
    /// The body is not sent again.
    Dropped,
}

/// The method and body rule for one redirect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodRule {
    pub method: Method,
    pub body: BodyFate,
    /// Fetch switched the method to GET: body headers go too.
    pub rewritten_to_get: bool,
}

/// The method/body table of Fetch's "HTTP-redirect fetch" step 12, with curl's opt-outs.
pub fn method_rule(
    status: u16,
    method: &Method,
    has_body: bool,
    keep_post: KeepPost,
) -> MethodRule {
    let is_post = method == Method::POST;
    let to_get = match status {
        301 => is_post && !keep_post.on_301,
        302 => is_post && !keep_post.on_302,
        303 => {
            let safe = method == Method::GET || method == Method::HEAD;
            !(safe || (is_post && keep_post.on_303))
        }
        _ => false,
    };
    // A 303 points at another resource to GET: a GET or HEAD keeps its method but no body.
    let drops_body = to_get || (status == 303 && (method == Method::GET || method == Method::HEAD));
    let body = match (has_body, drops_body) {
        (false, _) => BodyFate::Absent,
        (true, true) => BodyFate::Dropped,
        (true, false) => BodyFate::Replayed,
    };
    MethodRule {
        method: if to_get { Method::GET } else { method.clone() },
        body,
        rewritten_to_get: to_get,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_table() {
        use BodyFate::*;
        let none = KeepPost::default();
        let all = KeepPost {
            on_301: true,
            on_302: true,
            on_303: true,
        };
        let m = |s: &str| Method::from_bytes(s.as_bytes()).unwrap();
        #[rustfmt::skip]
        let table: &[(u16, &str, bool, KeepPost, &str, BodyFate, bool)] = &[
            // status, method, has body, keep post, method after, body, rewritten to GET
            (301, "POST", true, none, "GET", Dropped, true),
            (302, "POST", true, none, "GET", Dropped, true),
            (301, "POST", false, none, "GET", Absent, true),
            (301, "PUT", true, none, "PUT", Replayed, false),
            (302, "DELETE", true, none, "DELETE", Replayed, false),
            (302, "PATCH", true, none, "PATCH", Replayed, false),
            (301, "GET", false, none, "GET", Absent, false),
            (302, "HEAD", false, none, "HEAD", Absent, false),
            (303, "GET", false, none, "GET", Absent, false),
            (303, "GET", true, none, "GET", Dropped, false),
            (303, "HEAD", false, none, "HEAD", Absent, false),
            (303, "POST", true, none, "GET", Dropped, true),
            (303, "PUT", true, none, "GET", Dropped, true),
            (303, "DELETE", false, none, "GET", Absent, true),
            (303, "PATCH", true, none, "GET", Dropped, true),
            (303, "PURGE", true, none, "GET", Dropped, true),
            (307, "POST", true, none, "POST", Replayed, false),
            (308, "POST", true, none, "POST", Replayed, false),
            (307, "PUT", true, none, "PUT", Replayed, false),
            (308, "PURGE", true, none, "PURGE", Replayed, false),
            (307, "GET", false, none, "GET", Absent, false),
            (301, "POST", true, all, "POST", Replayed, false),
            (302, "POST", true, all, "POST", Replayed, false),
            (303, "POST", true, all, "POST", Replayed, false),
            (303, "PUT", true, all, "GET", Dropped, true),
            (301, "POST", true, KeepPost { on_302: true, ..none }, "GET", Dropped, true),
        ];
        for &(status, before, has_body, keep, after, body, rewritten) in table {
            let rule = method_rule(status, &m(before), has_body, keep);
            assert_eq!(
                rule,
                MethodRule {
                    method: m(after),
                    body,
                    rewritten_to_get: rewritten
                },
                "{status} {before} body={has_body} keep={keep:?}"
            );
        }
    }
}
