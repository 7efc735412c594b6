//! divan benches: one person (parse → project → metrics), and one batch of generated rows
//! through the same steps in parallel. End-to-end figures: scripts/bench.sh.
#![forbid(unsafe_code)]

use rayon::prelude::*;
use yanglao::io::scenario::{parse_scenario, Header, Row};
use yanglao::metrics;
use yanglao::model::{project, Context};
use yanglao::params::{Assumptions, Params};

fn main() {
    divan::main();
}

fn context() -> Context {
    Context::new(Params::builtin().unwrap(), Assumptions::builtin())
}

fn rows(n: u64) -> (Header, Vec<csv::ByteRecord>) {
    let mut buf = Vec::new();
    yanglao::io::gen::generate(n, 1, &mut buf).unwrap();
    let mut r = csv::Reader::from_reader(&buf[..]);
    let names: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let header = Header::new(names.iter().map(String::as_str)).unwrap();
    (header, r.byte_records().map(Result::unwrap).collect())
}

fn one(ctx: &Context, header: &Header, rec: &csv::ByteRecord) -> usize {
    let s = parse_scenario(&Row::new(header, rec), 2, &ctx.params, ctx.assumptions.as_of).unwrap();
    let o = project(&s, ctx).unwrap();
    let m = metrics::compute(&s, &o, ctx);
    usize::from(m.irr.is_some())
}

#[divan::bench]
fn one_person(bencher: divan::Bencher) {
    let ctx = context();
    let (header, recs) = rows(1);
    bencher.bench(|| one(&ctx, &header, divan::black_box(&recs[0])));
}

#[divan::bench]
fn one_person_model_only(bencher: divan::Bencher) {
    let ctx = context();
    let (header, recs) = rows(1);
    let s = parse_scenario(&Row::new(&header, &recs[0]), 2, &ctx.params, ctx.assumptions.as_of).unwrap();
    bencher.bench(|| project(divan::black_box(&s), &ctx).unwrap().total);
}

#[divan::bench]
fn one_person_metrics_only(bencher: divan::Bencher) {
    let ctx = context();
    let (header, recs) = rows(1);
    let s = parse_scenario(&Row::new(&header, &recs[0]), 2, &ctx.params, ctx.assumptions.as_of).unwrap();
    let o = project(&s, &ctx).unwrap();
    bencher.bench(|| metrics::compute(divan::black_box(&s), &o, &ctx).irr);
}

#[divan::bench(sample_count = 20)]
fn batch_4096(bencher: divan::Bencher) {
    let ctx = context();
    let (header, recs) = rows(4096);
    bencher.bench(|| recs.par_iter().map(|r| one(&ctx, &header, r)).sum::<usize>());
}
