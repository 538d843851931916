"""The map page's list of places, built from plain rows and strings made once,
is the same markup as the list the ORM version rendered (kept here as the
reference): same items, links, labels and "address only" marks, in any language."""

import re

from flask import render_template_string
from sqlalchemy import or_, select

from pbvote.extensions import db
from pbvote.proposals.models import PUBLIC_STATUSES, Proposal
from pbvote.proposals.queries import card_loads
from pbvote.proposals.views import scope_label
from tests.factories import create_resident
from tests.proposals.factories import create_proposal, setup_cycle

REFERENCE = """<ul id="place-list" class="place-list">
{% for p in proposals %}
  <li id="place-{{ p.id }}"{% if p.latitude is not none %} data-place="{{ p.latitude }},{{ p.longitude }}"{% endif %}><a href="{{ url_for('proposals.proposal_page', proposal_id=p.id) }}" dir="auto">{{ p.title }}</a>
  <span class="muted">· {{ scope_label(p.scope) }}{% if p.location_text %} · <span dir="auto">{{ p.location_text }}</span>{% endif %}{% if p.latitude is none %} · {{ _("address only") }}{% endif %}</span></li>
{% endfor %}
</ul>"""


def test_the_map_list_is_the_reference_markup(client, app, committed, commune):
    with committed():
        setup = setup_cycle(commune)
        author = create_resident(commune["id"])
        scopes = [setup["commune_scope"], *setup["district_scopes"]]
        for n in range(12):
            p = create_proposal(
                setup,
                author.id,
                title=f"<Lieu> & «{n}»",
                scope_id=scopes[n % len(scopes)],
            )
            if n % 3:
                p.latitude, p.longitude = 34.79 + n / 1000, -5.58
            if n % 2:
                p.location_text = f'Rue n°{n} "ouest"'
            if n == 11:
                p.location_text = ""
                p.latitude = p.longitude = None  # neither: not listed
        create_proposal(setup, author.id, title="Brouillon", status="draft")
    url = f"/cycles/{setup['cycle_id']}/proposals/map"
    for language in ("ar", "fr"):
        client.set_cookie("lang", language)
        page = client.get(url).get_data(as_text=True)
        listed = re.search(r'<ul id="place-list".*?</ul>', page, re.DOTALL).group(0)
        with app.test_request_context(url, headers={"Cookie": f"lang={language}"}):
            proposals = db.session.scalars(
                select(Proposal)
                .where(
                    Proposal.cycle_id == setup["cycle_id"],
                    Proposal.status.in_(PUBLIC_STATUSES),
                    or_(Proposal.latitude.is_not(None), Proposal.location_text != ""),
                )
                .options(*card_loads())
                .order_by(Proposal.scope_id, Proposal.id)
            ).all()
            expected = render_template_string(
                REFERENCE, proposals=proposals, scope_label=scope_label
            )
        assert len(proposals) == 9  # 0 and 6 give no place either
        assert listed == expected, language
