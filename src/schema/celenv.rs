//! The CEL environment CRD validation rules run in: the CEL standard library with the string
//! and list extensions, plus the Kubernetes library functions that CRD rules use (`isIP`,
//! `isURL`, `format.<name>().validate()`, …).

use std::sync::{Arc, OnceLock};

use cel::extractors::{Arguments, This};
use cel::{Context, Env, ExecutionError, Value};

use super::celval::BoxVal;

fn env() -> &'static Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::stdlib();
        // Both extensions declare fresh names only; a conflict would be a bug in the crate, and
        // the stdlib alone still evaluates most rules.
        let _ = cel::extensions::strings(&mut env);
        let _ = cel::extensions::lists(&mut env);
        Arc::new(env)
    })
}

/// Compiles a rule; the error text is what the parser said.
pub fn compile(source: &str) -> Result<cel::Program, String> {
    // The standard `matches` compiles its pattern on every call, which dominated validation
    // time; the same function with a per-thread cache of compiled patterns stands in for it.
    let source = source.replace(".matches(", ".gwlintMatches(");
    env()
        .compile(&source)
        .map_err(|e| e.to_string().lines().next().unwrap_or("").to_string())
}

thread_local! {
    static PATTERNS: std::cell::RefCell<std::collections::HashMap<String, Option<regex::Regex>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

fn matches(text: &str, pattern: &str) -> Result<bool, ExecutionError> {
    with_regex(pattern, |re| re.is_match(text))
}

/// Runs `f` with `pattern` compiled (once per thread).
fn with_regex<T>(pattern: &str, f: impl FnOnce(&regex::Regex) -> T) -> Result<T, ExecutionError> {
    PATTERNS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.contains_key(pattern) {
            // Rules build few distinct patterns; a bound keeps a pathological one from growing.
            if cache.len() > 4096 {
                cache.clear();
            }
            cache.insert(pattern.to_string(), regex::Regex::new(pattern).ok());
        }
        match cache.get(pattern) {
            Some(Some(re)) => Ok(f(re)),
            _ => Err(ExecutionError::function_error(
                "matches",
                format!("invalid regular expression `{pattern}`"),
            )),
        }
    })
}

fn root() -> Context<'static, 'static> {
    let mut ctx = Context::with_env(env().clone());
    // Registration only fails on a name the environment already declares; these are not.
    let _ = ctx.add_function(
        "gwlintMatches",
        |This(s): This<Arc<String>>, pattern: Arc<String>| matches(&s, &pattern),
    );
    // Kubernetes' regex library: the first match, or every match (at most `n`).
    let _ = ctx.add_function(
        "find",
        |This(s): This<Arc<String>>, pattern: Arc<String>| -> Result<Value, ExecutionError> {
            with_regex(&pattern, |re| {
                let found = re.find(&s).map(|m| m.as_str().to_string());
                Value::String(Arc::new(found.unwrap_or_default()))
            })
        },
    );
    let _ = ctx.add_function(
        "findAll",
        |This(s): This<Arc<String>>, Arguments(args): Arguments| -> Result<Value, ExecutionError> {
            let (pattern, limit) = match args.as_slice() {
                [Value::String(p)] => (p.clone(), i64::MAX),
                [Value::String(p), Value::Int(n)] => (p.clone(), *n),
                _ => {
                    return Err(ExecutionError::function_error(
                        "findAll",
                        "expects a pattern",
                    ));
                }
            };
            with_regex(&pattern, |re| {
                let found: Vec<Value> = re
                    .find_iter(&s)
                    .take(usize::try_from(limit).unwrap_or(usize::MAX))
                    .map(|m| Value::String(Arc::new(m.as_str().to_string())))
                    .collect();
                Value::List(Arc::new(found))
            })
        },
    );
    // `url(x)` stays the string; its accessors parse it, as Kubernetes' URL library reads it.
    let _ = ctx.add_function("url", |s: Arc<String>| -> Result<Value, ExecutionError> {
        if is_url(&s) {
            Ok(Value::String(s))
        } else {
            Err(ExecutionError::function_error(
                "url",
                format!("`{s}` is not an absolute URL"),
            ))
        }
    });
    let _ = ctx.add_function("getScheme", |This(s): This<Arc<String>>| {
        url_part(&s, UrlPart::Scheme)
    });
    let _ = ctx.add_function("getHost", |This(s): This<Arc<String>>| {
        url_part(&s, UrlPart::Host)
    });
    let _ = ctx.add_function("getHostname", |This(s): This<Arc<String>>| {
        url_part(&s, UrlPart::Hostname)
    });
    let _ = ctx.add_function("getPort", |This(s): This<Arc<String>>| {
        url_part(&s, UrlPart::Port)
    });
    let _ = ctx.add_function("getEscapedPath", |This(s): This<Arc<String>>| {
        url_part(&s, UrlPart::Path)
    });
    let _ = ctx.add_function("getQuery", |This(s): This<Arc<String>>| {
        url_part(&s, UrlPart::Query)
    });
    let _ = ctx.add_function("isIP", |This(s): This<Arc<String>>| is_ip(&s));
    let _ = ctx.add_function("isCIDR", |This(s): This<Arc<String>>| is_cidr(&s));
    let _ = ctx.add_function("isURL", |This(s): This<Arc<String>>| is_url(&s));
    let _ = ctx.add_function("lowerAscii", |This(s): This<Arc<String>>| {
        s.to_ascii_lowercase()
    });
    let _ = ctx.add_function("dns1123Label", |Arguments(_): Arguments| {
        Value::String(Arc::new("dns1123Label".into()))
    });
    let _ = ctx.add_function("dns1123Subdomain", |Arguments(_): Arguments| {
        Value::String(Arc::new("dns1123Subdomain".into()))
    });
    let _ = ctx.add_function("qualifiedName", |Arguments(_): Arguments| {
        Value::String(Arc::new("qualifiedName".into()))
    });
    let _ = ctx.add_function("labelValue", |Arguments(_): Arguments| {
        Value::String(Arc::new("labelValue".into()))
    });
    let _ = ctx.add_function(
        "validate",
        |This(format): This<Arc<String>>, value: Arc<String>| -> Result<Value, ExecutionError> {
            let ok = match format.as_str() {
                "dns1123Label" => is_dns1123_label(&value),
                "dns1123Subdomain" => is_dns1123_subdomain(&value),
                "qualifiedName" => is_qualified_name(&value),
                "labelValue" => is_label_value(&value),
                other => {
                    return Err(ExecutionError::function_error(
                        "validate",
                        format!("format `{other}` is not supported offline"),
                    ));
                }
            };
            Ok(if ok {
                Value::Null
            } else {
                Value::List(Arc::new(vec![Value::String(Arc::new(format!(
                    "not a valid {format}"
                )))]))
            })
        },
    );
    // `format.dns1123Label()`: `format` names the library; its members are the format names.
    ctx.add_variable_from_value("format", Value::String(Arc::new("format".into())));
    ctx
}

thread_local! {
    static ROOT: Context<'static, 'static> = root();
}

/// Runs `f` with a context in which `self` is `value` (built by `validate::build`, whose
/// containers are shared, so binding copies nothing).
pub fn with_self<T>(value: &BoxVal, f: impl FnOnce(&Context) -> T) -> T {
    ROOT.with(|root| {
        let mut ctx = root.new_inner_scope();
        ctx.add_variable_as_val("self", value.clone_as_boxed());
        f(&ctx)
    })
}

pub fn is_ip(s: &str) -> bool {
    // Kubernetes' isIP rejects zone suffixes and IPv4 with leading zeros, as std's parser does.
    s.parse::<std::net::IpAddr>().is_ok()
}

fn is_cidr(s: &str) -> bool {
    let Some((ip, bits)) = s.split_once('/') else {
        return false;
    };
    let Ok(bits) = bits.parse::<u8>() else {
        return false;
    };
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => bits <= 32,
        Ok(std::net::IpAddr::V6(_)) => bits <= 128,
        Err(_) => false,
    }
}

fn is_url(s: &str) -> bool {
    // An absolute URL: a scheme, then `:`; what follows is not checked further.
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[derive(Clone, Copy)]
enum UrlPart {
    Scheme,
    Host,
    Hostname,
    Port,
    Path,
    Query,
}

/// One part of an absolute URL, split the way Go's `net/url` splits it for the common forms.
fn url_part(s: &str, part: UrlPart) -> String {
    let Some((scheme, rest)) = s.split_once(':') else {
        return String::new();
    };
    let (authority, tail) = match rest.strip_prefix("//") {
        Some(r) => {
            let end = r.find(['/', '?', '#']).unwrap_or(r.len());
            (&r[..end], &r[end..])
        }
        None => ("", rest),
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (hostname, port) = if let Some(v6) = host.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':').unwrap_or("")),
            None => (v6, ""),
        }
    } else {
        match host.rsplit_once(':') {
            Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => (h, p),
            _ => (host, ""),
        }
    };
    let tail = tail.split('#').next().unwrap_or("");
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    match part {
        UrlPart::Scheme => scheme.to_string(),
        UrlPart::Host => host.to_string(),
        UrlPart::Hostname => hostname.to_string(),
        UrlPart::Port => port.to_string(),
        UrlPart::Path => path.to_string(),
        UrlPart::Query => query.to_string(),
    }
}

pub fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

fn is_qualified_name(s: &str) -> bool {
    let (prefix, name) = match s.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    prefix.is_none_or(is_dns1123_subdomain)
        && !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && name
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

fn is_label_value(s: &str) -> bool {
    s.is_empty() || is_qualified_name(s) && !s.contains('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str, v: Value) -> Result<Value, ExecutionError> {
        let program = compile(src).unwrap();
        let v: BoxVal = v.try_into().unwrap();
        with_self(&v, |ctx| program.execute(ctx))
    }

    #[test]
    fn kubernetes_library_functions() {
        let s = |x: &str| Value::String(Arc::new(x.into()));
        assert_eq!(run("isIP(self)", s("10.0.0.1")), Ok(Value::Bool(true)));
        assert_eq!(run("self.isIP()", s("example.com")), Ok(Value::Bool(false)));
        assert_eq!(
            run("format.dns1123Label().validate(self) == null", s("ok-name")),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            run("format.dns1123Label().validate(self) == null", s("Not_OK")),
            Ok(Value::Bool(false))
        );
        assert_eq!(
            run("duration(self) > duration('1m')", s("90s")),
            Ok(Value::Bool(true))
        );
        assert!(run("self.quantity()", s("1Gi")).is_err());
        assert_eq!(
            run("self.find('[0-9]+')", s("port 8080 and 9090")),
            Ok(s("8080"))
        );
        assert_eq!(
            run("self.findAll('[0-9]+').size()", s("8080 and 9090")),
            Ok(Value::Int(2))
        );
        assert_eq!(
            run(
                "url(self).getHostname() + ':' + url(self).getPort()",
                s("https://[::1]:8443/x?y=1")
            ),
            Ok(s("::1:8443"))
        );
        assert_eq!(
            run(
                "url(self).getEscapedPath() == '/a/b' && url(self).getQuery() == 'c=d'",
                s("http://example.com/a/b?c=d")
            ),
            Ok(Value::Bool(true))
        );
        assert!(run("self.matches('[')", s("x")).is_err());
    }

    #[test]
    fn old_self_marks_transition_rules() {
        use super::super::openapi::Rule;
        assert!(Rule::new("self == oldSelf", Some("Value is immutable")).transition);
        assert!(!Rule::new("self.oldSelfish == 1", None).transition);
    }
}
