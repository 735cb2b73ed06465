"""The playground's network mode: a network's backward pass at three zoom levels (nodes,
units, layers), its words those of the package's views, on the desktop and in headless
Chromium at 1280 and 390 px, with every non-local request aborted (test_site.py's
fixtures: the site is built once per session)."""

from __future__ import annotations

import json

import pytest
import test_site
from test_site import wait_until

from autograd_mini.explain.layers import layer_view
from autograd_mini.site import page_api

site, server = test_site.site, test_site.server
offline_browser, open_tab = test_site.offline_browser, test_site.open_tab

LEVELS = ("nodes", "units", "layers")


# --- Python's side, on the desktop --------------------------------------------------------


@pytest.mark.parametrize("network", page_api.NETWORKS)
@pytest.mark.parametrize("level", ("units", "layers"))
def test_every_network_walks_at_the_units_and_layers_levels(network, level):
    walk = json.loads(page_api.network_walk(network, level))
    assert walk["frames"] and set(walk["pictures"]) == {"wide", "tall"}
    for frame in walk["frames"]:
        assert frame["title"].startswith("Backward ") and frame["lines"]
        assert f'id="{frame["active"]}"' in walk["pictures"]["wide"]  # the red one is drawn


def test_a_layer_step_says_layer_views_words_with_its_numbers():
    walk = json.loads(page_api.network_walk("symmetry", "layers"))
    model, inputs, targets, _ = page_api._symmetry_net()
    view = layer_view(model, inputs, targets)
    first_layer = walk["frames"][-1]
    assert first_layer["title"] == "Backward 2 of 2: layer 1"
    assert first_layer["lines"][0].startswith("δ¹ = (W²ᵀ δ²) ⊙ (y¹ * (1 - y¹)) = [")
    assert first_layer["lines"][0] in "\n".join(view.steps())


def test_the_nodes_level_walks_small_nets_and_says_when_a_net_is_too_big():
    small = json.loads(page_api.network_walk("symmetry", "nodes"))
    assert small["nodes"] <= page_api.MAX_NETWORK_NODES and len(small["frames"]) > 20
    big = json.loads(page_api.network_walk("family", "nodes"))
    assert big["frames"] == [] and big["nodes"] > page_api.MAX_NETWORK_NODES
    assert "too many to draw" in big["note"] and "units or layers" in big["note"]


def test_an_unknown_network_or_level_is_refused():
    for name, level in (("resnet", "units"), ("symmetry", "neurons"), ("<b>", "<i>")):
        assert "error" in json.loads(page_api.network_walk(name, level))


# --- The page in Chromium -----------------------------------------------------------------


def settle(page) -> None:
    page.evaluate("() => window.autograd_mini.networks.settled().then(() => true)")


def shown(page) -> dict:
    """What the network mode shows now, as a reader sees it."""
    return page.evaluate("""() => {
      const $ = (id) => document.getElementById(id);
      const active = document.querySelector('#network-graph g.node.active');
      const box = $('network-graph').getBoundingClientRect();
      const node = active && active.getBoundingClientRect();
      const x = node && node.left + node.width / 2, y = node && node.top + node.height / 2;
      return {title: $('network-title').textContent, lines: $('network-lines').innerText,
              note: $('network-note').hidden ? '' : $('network-note').textContent,
              walking: !$('network-walk').hidden, active: Boolean(active),
              inBox: Boolean(node) && box.left <= x && x <= box.right,
              index: window.autograd_mini.networks.state.index,
              network: $('network').value,
              level: document.querySelector('input[name=level]:checked')?.value,
              wide: document.documentElement.scrollWidth};
    }""")


def choose(page, network: str, level: str) -> None:
    page.select_option("#network", network)
    settle(page)
    page.check(f"#level-{level}")
    settle(page)


def walk_forward_and_back(page, width: int, steps: int = 3) -> None:
    """Next a few times and Previous back: each step its own title and words, its node
    red in the picture and in the picture's box, and nothing wider than the window."""
    forward = [look(page, width)]
    while len(forward) <= steps and not page.locator("#network-next").is_disabled():
        page.click("#network-next")
        forward.append(look(page, width))
    back = [forward[-1]]
    for _ in forward[1:]:
        page.click("#network-previous")
        back.append(look(page, width))
    assert len(forward) > 1 and len(set(forward)) == len(forward)  # each step its own words
    assert back == forward[::-1]  # Previous walks back the same way


def controls_within(page, width: int) -> None:
    """Every control of the network mode is shown whole within the window's width."""
    controls = page.locator("#modes input, #network-mode select, #network-mode input:visible, "
                            "#network-mode button:visible")
    assert controls.count() >= 8  # 2 modes, the network, 3 levels, Previous, Next, slider
    for i in range(controls.count()):
        box = controls.nth(i).bounding_box()
        assert box and box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= width


def look(page, width: int) -> tuple[int, str]:
    now = shown(page)
    assert now["title"] and now["lines"], now
    assert now["active"] and now["inBox"], now
    assert now["wide"] <= width, now
    return now["index"], now["title"]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("network", ["symmetry", "family"])
def test_each_level_walks_forward_and_back_within_the_window(open_tab, network, width):
    page = open_tab(width=width, height=800).page
    page.check("#mode-network")
    settle(page)
    assert page.locator("#expression-mode").is_hidden()
    for level in LEVELS:
        choose(page, network, level)
        now = shown(page)
        if network == "family" and level == "nodes":  # too big: said, not drawn
            assert "too many to draw" in now["note"] and not now["walking"], now
            assert now["wide"] <= width
            continue
        assert now["walking"] and not now["note"], now
        controls_within(page, width)
        walk_forward_and_back(page, width)
        if level == "layers":
            assert "δ" in now["lines"] and "⊙" in now["lines"]
        if level == "units":
            assert "∂E/∂y_j" in now["lines"]
    # the slider reaches the last step
    page.locator("#network-slider").fill(page.get_attribute("#network-slider", "max"))
    assert page.locator("#network-next").is_disabled() and shown(page)["active"]


@pytest.mark.browser
@pytest.mark.slow
def test_a_link_keeps_the_network_the_level_and_the_step(open_tab, server):
    page = open_tab(width=390, height=800).page
    page.check("#mode-network")
    settle(page)
    choose(page, "family", "layers")
    page.click("#network-next")
    page.click("#network-next")
    before = shown(page)
    page.click("#share")
    link = page.input_value("#share-link")
    assert "net=family" in link and "level=layers" in link and "step=2" in link
    assert "import" not in link and "(" not in link  # settings only, never code
    again = open_tab(link.removeprefix(server + "/"), width=1280, height=800).page
    settle(again)
    after = shown(again)
    assert {k: after[k] for k in ("network", "level", "index", "title", "lines")} == \
        {k: before[k] for k in ("network", "level", "index", "title", "lines")}
    assert again.locator("#mode-network").is_checked() and after["active"]
    # an expression's link turns the page back to its expression mode
    again.evaluate("() => { location.hash = 'e=x*y&at=x:2,y:3'; }")
    wait_until(again, "!document.getElementById('expression-mode').hidden")
    assert again.locator("#network-mode").is_hidden()
