#!/usr/bin/env python3
"""Writes a static news-style site (issue 11's shape) into a directory, for nginx to serve.

usage: static-site.py DIR [--sections 8] [--depth 100] [--articles 20000] [--seed 1]

Shape: a front page links to each section's first index page; each section is a chain of `depth`
paginated index pages (page N links to N-1 and N+1 only, as state-media archives do), each listing its
share of the section's articles; every article links back to its index page, to its section and to
three other articles of the same section. Articles are 2-5 KB of Korean and English text, so a page
costs about what a real article does to fetch, parse and store. A robots.txt allows everything.
Deterministic for a seed. Prints the number of HTML pages written.
"""
import argparse
import os
import random

WORDS = ("조선 로동당 중앙위원회 위원장 인민 경제 발전 새로운 승리 위하여 로동신문 사설 "
         "평양 건설 농업 과학 기술 교육 보건 문화 체육 국가 사회주의 혁명 위대한 령도자 "
         "news report state central committee party congress people economy plan year").split()


def para(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def page(title, body):
    return ("<!DOCTYPE html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\"><title>" + title +
            "</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body>\n" + body + "\n</body></html>\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--sections", type=int, default=8)
    ap.add_argument("--depth", type=int, default=100)
    ap.add_argument("--articles", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.dir, exist_ok=True)
    per_section = a.articles // a.sections
    per_index = -(-per_section // a.depth)
    written = 0

    def write(rel, text):
        nonlocal written
        path = os.path.join(a.dir, rel.lstrip("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        if rel.endswith(".html"):
            written += 1

    with open(os.path.join(a.dir, "robots.txt"), "w") as f:
        f.write("User-agent: *\nAllow: /\n")
    with open(os.path.join(a.dir, "style.css"), "w") as f:
        f.write("body{font-family:sans-serif;max-width:40em;margin:auto}\n")

    front = ["<h1>" + para(rng, 4) + "</h1><ul>"]
    for s in range(a.sections):
        front.append(f"<li><a href=\"/s{s}/index-1.html\">{para(rng, 2)}</a></li>")
    front.append("</ul>")
    write("/index.html", page("front", "\n".join(front)))

    for s in range(a.sections):
        for p in range(1, a.depth + 1):
            first = (p - 1) * per_index
            items = [f"<li><a href=\"/s{s}/a{i}.html\">{para(rng, 6)}</a></li>"
                     for i in range(first, min(first + per_index, per_section))]
            nav = []
            if p > 1:
                nav.append(f"<a href=\"/s{s}/index-{p - 1}.html\">이전</a>")
            if p < a.depth:
                nav.append(f"<a href=\"/s{s}/index-{p + 1}.html\">다음</a>")
            body = (f"<p><a href=\"/\">home</a></p><h1>section {s} page {p}</h1><ul>" + "\n".join(items) +
                    "</ul><p>" + " ".join(nav) + "</p>")
            write(f"/s{s}/index-{p}.html", page(f"s{s} {p}", body))
        for i in range(per_section):
            related = " ".join(f"<a href=\"/s{s}/a{rng.randrange(per_section)}.html\">{para(rng, 3)}</a>" for _ in range(3))
            paras = "\n".join("<p>" + para(rng, rng.randint(40, 90)) + "</p>" for _ in range(rng.randint(2, 5)))
            body = (f"<p><a href=\"/\">home</a> <a href=\"/s{s}/index-{i // per_index + 1}.html\">section {s}</a></p>"
                    f"<h1>{para(rng, 8)}</h1>\n{paras}\n<p>{related}</p>")
            write(f"/s{s}/a{i}.html", page(f"s{s} a{i}", body))
    print(written)


if __name__ == "__main__":
    main()
