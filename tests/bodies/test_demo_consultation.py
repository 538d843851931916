"""Issue 16's "done when", in the demo: a body page lists its meetings and
opinions, a resident registers for a hearing and answers the satisfaction survey."""

import re

from pbvote.demo import DEMO_PHONES
from tests.helpers import csrf_token, login_resident, submit


def test_demo_body_page_hearing_and_satisfaction_survey(app, client, seeded_demo):
    bodies = client.get("/bodies").get_data(as_text=True)
    # English readers get French names: find the accessibility body's page.
    # (marked as French: <bdi lang="fr">, see docs/accessibility.md)
    links = re.findall(r'href="(/bodies/\d+)">(?:<bdi lang="fr">)?([^<]+)', bodies)
    accessibility = next(url for url, name in links if "accessibilit" in name)
    page = client.get(accessibility).get_data(as_text=True)
    assert "Audience publique : trottoirs accessibles" in page
    assert "Avis sur l&#39;accessibilité de l&#39;hôtel de ville" in page

    hearing = re.search(r'href="(/meetings/\d+)"', page).group(1)
    login_resident(client, app, DEMO_PHONES[0])
    response = submit(client, f"{hearing}/register", {}, form_url=hearing)
    assert response.status_code == 302
    assert "You are registered." in client.get(hearing).get_data(as_text=True)

    surveys = client.get("/surveys").get_data(as_text=True)
    survey = re.search(r'href="(/surveys/\d+)"', surveys).group(1)
    form = client.get(survey).get_data(as_text=True)
    fields = re.findall(r'name="(q-\d+)"', form)
    names = list(dict.fromkeys(fields))
    answers = {names[0]: "4", names[1]: "3", names[2]: "0", names[3]: "Merci"}
    token = csrf_token(client, survey)
    response = client.post(survey, data={"csrf_token": token, **answers})
    assert response.status_code == 302
    done = client.get(survey).get_data(as_text=True)
    assert "You have answered this survey. Thank you!" in done
