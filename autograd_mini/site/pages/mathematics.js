// The course's mathematics, typeset: every <span class="math"> (inline, $...$) and
// <span class="math display"> ($$...$$) that autograd_mini.site.markdown marked holds the
// notebook's TeX as text; KaTeX (vendor/katex, pinned in builder.py) puts MathML in its
// place.  MathML output needs no stylesheet and no fonts (the browser typesets <math>),
// and no inline style attribute, which KaTeX's HTML output would need.  Untrusted TeX
// is safe: trust: false refuses \href, \url, \htmlClass...; an error shows the TeX in
// red instead of throwing.  KaTeX builds its nodes itself (no HTML is parsed).
import katex from "./vendor/katex/katex.mjs";

export const OPTIONS = { output: "mathml", throwOnError: false, trust: false, strict: "ignore" };

export function renderMath(root) {
  for (const box of root.querySelectorAll("span.math")) {
    const tex = box.textContent;
    box.dataset.tex = tex;
    katex.render(tex, box, { ...OPTIONS, displayMode: box.classList.contains("display") });
  }
}
