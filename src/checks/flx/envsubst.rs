//! Flux's post-build variable syntax, read as kustomize-controller reads it (the `envsubst`
//! package of fluxcd/pkg, a fork of drone/envsubst). Written from its documented behaviour and
//! tests, not translated from it:
//! - only `${…}` is an expression; a bare `$NAME` is text;
//! - outside expressions `$$` is one literal `$`, so `$${NAME}` reaches the cluster as `${NAME}`;
//! - `${NAME}` reads NAME; `${#NAME}`, `${NAME^}`, `${NAME,,}`, `${NAME:1:2}`, `${NAME/a/b}`,
//!   `${NAME#a}`, `${NAME%a}` … read it and transform the value;
//! - `${NAME:=word}`, `${NAME:-word}`, `${NAME:?word}`, `${NAME:+word}` and `${NAME=word}` give
//!   a default when NAME is unset; `${NAME-word}` is not accepted (a missing closing brace);
//! - the arguments may hold expressions of their own, which are evaluated first (even when
//!   the default is not used);
//! - anything else after `${` (a space, `!`, an unclosed brace) is an error that fails the
//!   whole substitution of the object.

use std::ops::Range;

/// How an expression uses its variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `${NAME}`: the value itself.
    Plain,
    /// `${#NAME}`, `${NAME^^}`, `${NAME:1}`, `${NAME/a/b}` …: the value, transformed.
    Transform,
    /// `${NAME:=word}` and the other forms that supply a value when NAME is unset.
    Default,
}

/// One `${…}` expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    pub name: String,
    pub op: Op,
    /// Byte range of the whole expression, from `$` to `}`, in the scanned text.
    pub range: Range<usize>,
    /// Expressions in the arguments (a default, a pattern, an offset).
    pub nested: Vec<Expr>,
}

/// The text is not a valid substitution template: Flux fails the object's substitution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Malformed;

/// Nesting deeper than this is treated as malformed: the parser recurses per level.
const MAX_DEPTH: usize = 32;

/// The top-level expressions of `text`, in order.
pub fn parse(text: &str) -> Result<Vec<Expr>, Malformed> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = text.get(i..).and_then(|rest| rest.find('$')) {
        let at = i + off;
        match b.get(at + 1) {
            Some(b'{') => {
                let mut p = Parser { text, pos: at + 2 };
                let e = p.expr(at, 0)?;
                i = e.range.end;
                out.push(e);
            }
            // `$$`: one literal `$`; the second cannot open an expression.
            Some(b'$') => i = at + 2,
            _ => i = at + 1,
        }
    }
    Ok(out)
}

struct Parser<'t> {
    text: &'t str,
    pos: usize,
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..)?.chars().next()
    }

    fn peek2(&self) -> Option<char> {
        let mut it = self.text.get(self.pos..)?.chars();
        it.next();
        it.next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Result<String, Malformed> {
        let start = self.pos;
        while self.peek().is_some_and(is_ident) {
            self.bump();
        }
        if self.pos == start {
            return Err(Malformed);
        }
        Ok(self.text[start..self.pos].to_string())
    }

    fn close(&mut self) -> Result<(), Malformed> {
        if self.eat('}') {
            Ok(())
        } else {
            Err(Malformed)
        }
    }

    fn opens_expr(&self) -> bool {
        self.text
            .get(self.pos..)
            .is_some_and(|r| r.starts_with("${"))
    }

    /// An expression whose `${` starts at `start`; the parser stands after the `{`.
    fn expr(&mut self, start: usize, depth: usize) -> Result<Expr, Malformed> {
        if depth > MAX_DEPTH {
            return Err(Malformed);
        }
        let mut nested = Vec::new();
        if self.eat('#') {
            let name = self.ident()?;
            self.close()?;
            return Ok(self.done(start, name, Op::Transform, nested));
        }
        let name = self.ident()?;
        let op = match self.peek() {
            Some('}') => {
                self.bump();
                Op::Plain
            }
            Some(':') if matches!(self.peek2(), Some('=' | '-' | '?' | '+')) => {
                self.bump();
                self.bump();
                self.default_args(depth, &mut nested)?;
                Op::Default
            }
            Some('=') => {
                self.bump();
                self.default_args(depth, &mut nested)?;
                Op::Default
            }
            Some(':') => {
                self.bump();
                // Offset, then an optional length.
                self.param(depth, &mut nested, |c| c != ':' && c != '}', false)?;
                if !self.eat('}') {
                    if !self.eat(':') {
                        return Err(Malformed);
                    }
                    while self.eat(':') {}
                    self.param(depth, &mut nested, |c| c != '}', false)?;
                    self.close()?;
                }
                Op::Transform
            }
            Some(',' | '^') => {
                self.bump();
                if matches!(self.peek(), Some(',' | '^')) {
                    self.bump();
                }
                self.close()?;
                Op::Transform
            }
            Some('/') => {
                self.bump();
                if matches!(self.peek(), Some('/' | '#' | '%')) {
                    self.bump();
                }
                self.param(depth, &mut nested, |c| c != '/', true)?;
                if !self.eat('/') {
                    return Err(Malformed);
                }
                while self.eat('/') {}
                if !self.eat('}') {
                    self.param(depth, &mut nested, |c| c != '}', true)?;
                    self.close()?;
                }
                Op::Transform
            }
            Some(c @ ('#' | '%')) => {
                self.bump();
                self.eat(c);
                self.param(depth, &mut nested, |c| c != '}', false)?;
                self.close()?;
                Op::Transform
            }
            _ => return Err(Malformed),
        };
        Ok(self.done(start, name, op, nested))
    }

    fn done(&self, start: usize, name: String, op: Op, nested: Vec<Expr>) -> Expr {
        Expr {
            name,
            op,
            range: start..self.pos,
            nested,
        }
    }

    /// The words of a default, up to the closing brace: text and expressions.
    fn default_args(&mut self, depth: usize, nested: &mut Vec<Expr>) -> Result<(), Malformed> {
        loop {
            if self.eat('}') {
                return Ok(());
            }
            self.param(depth, nested, |c| c != '}', false)?;
        }
    }

    /// One argument: an expression, or a non-empty run of text that `accept` takes, ending
    /// before a character it refuses or an expression. With `escapes`, `$$`, `\/` and `\\`
    /// stand for their second character.
    fn param(
        &mut self,
        depth: usize,
        nested: &mut Vec<Expr>,
        accept: impl Fn(char) -> bool,
        escapes: bool,
    ) -> Result<(), Malformed> {
        if self.opens_expr() {
            let start = self.pos;
            self.pos += 2;
            nested.push(self.expr(start, depth + 1)?);
            return Ok(());
        }
        let start = self.pos;
        loop {
            if self.opens_expr() {
                break;
            }
            let Some(c) = self.peek() else { break };
            let escaped = escapes
                && matches!(
                    (c, self.peek2()),
                    ('$', Some('$')) | ('\\', Some('/' | '\\'))
                );
            if escaped {
                self.bump();
                self.bump();
                continue;
            }
            if !accept(c) {
                break;
            }
            self.bump();
        }
        if self.pos == start {
            Err(Malformed)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, Op)> {
        parse(text)
            .unwrap()
            .into_iter()
            .map(|e| (e.name, e.op))
            .collect()
    }

    #[test]
    fn plain_defaults_and_transforms() {
        assert_eq!(names("a ${X} b"), vec![("X".into(), Op::Plain)]);
        assert_eq!(
            names("${X:=1}${Y:-a b}"),
            vec![("X".into(), Op::Default), ("Y".into(), Op::Default)]
        );
        assert_eq!(names("${X=1}"), vec![("X".into(), Op::Default)]);
        assert_eq!(names("${X:?no}${Y:+yes}").len(), 2);
        for t in [
            "${#X}", "${X^^}", "${X,}", "${X:1}", "${X:1:2}", "${X/a/b}", "${X//a/}", "${X##*/}",
            "${X%.*}",
        ] {
            assert_eq!(names(t), vec![("X".into(), Op::Transform)], "{t}");
        }
    }

    #[test]
    fn escapes_and_bare_dollars() {
        assert!(names("$${X} $X $ {X} a$").is_empty());
        assert_eq!(names("$$${X}"), vec![("X".into(), Op::Plain)]);
        assert!(names("$$$${X}").is_empty());
    }

    #[test]
    fn nested_defaults() {
        let e = parse("${A:=${B}-x}").unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].nested[0].name, "B");
        assert_eq!(e[0].nested[0].range, 5..9);
        assert_eq!(e[0].range, 0..12);
    }

    #[test]
    fn malformed() {
        for t in [
            "${}", "${ X}", "${!X}", "${X", "${X-a}", "${X:=a", "${X#}", "${X/}", "${X//a}",
            "${X:}",
        ] {
            assert_eq!(parse(t), Err(Malformed), "{t}");
        }
        let deep = "${A:=".repeat(100) + &"}".repeat(100);
        assert_eq!(parse(&deep), Err(Malformed));
    }
}
