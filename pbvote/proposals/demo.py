"""Demo proposals in Arabic and French: next year's cycle collecting them (drafts,
submitted, one withdrawn), this year's and last year's all submitted for review
(the reviews seed answers them and turns the feasible ones into projects)."""

from pbvote.accounts.models import User
from pbvote.cycles.services import phase_span
from pbvote.extensions import db
from pbvote.proposals import conversations, places, services, social

# (language, title, description, category, beneficiaries, estimated cost,
#  project title ar, project title fr)
COMMUNE_IDEAS = [
    (
        "fr",
        "Bus scolaire pour les élèves des douars",
        (
            "Les enfants des douars marchent plus de **4 km** pour rejoindre le collège. "
            "Un bus scolaire matin et soir réduirait l'abandon scolaire, surtout chez les "
            "filles."
        ),
        "education",
        ["children", "women"],
        650_000,
        "حافلة للنقل المدرسي لتلاميذ الدواوير",
        "Bus scolaire pour les élèves des douars",
    ),
    (
        "ar",
        "إعادة تأهيل المسبح البلدي",
        (
            "المسبح البلدي مغلق منذ سنوات. نقترح إصلاح الأحواض وتجهيز مستودعات الملابس "
            "وتخصيص **حصص للنساء** ولذوي الإعاقة."
        ),
        "sports",
        ["youth", "women"],
        900_000,
        "إعادة تأهيل المسبح البلدي",
        "Réhabilitation de la piscine municipale",
    ),
    (
        "fr",
        "Centre d'accueil de jour pour personnes âgées",
        (
            "Un lieu chauffé avec une petite infirmerie, des activités et un repas, pour "
            "les personnes âgées isolées de la médina."
        ),
        "health",
        ["elderly"],
        480_000,
        "مركز استقبال نهاري للمسنين",
        "Centre d'accueil de jour pour personnes âgées",
    ),
    (
        "ar",
        "ولوجيات حول المرافق الإدارية",
        (
            "إنشاء ممرات منحدرة وأرصفة منخفضة حول البلدية والمستوصف والبريد لتسهيل تنقل "
            "الأشخاص في وضعية إعاقة والمسنين والأمهات مع عربات الأطفال."
        ),
        "accessibility",
        ["disabilities", "elderly"],
        420_000,
        "ولوجيات حول المرافق الإدارية",
        "Rampes et trottoirs accessibles",
    ),
    (
        "fr",
        "Marché couvert pour les femmes artisanes",
        (
            "Des stands couverts et sûrs pour les coopératives de femmes (tissage, "
            "poterie, produits du terroir), près de la place centrale."
        ),
        "economy",
        ["women"],
        560_000,
        "سوق مغطى للصانعات التقليديات",
        "Marché couvert pour les femmes artisanes",
    ),
    (
        "ar",
        "مكتبة وسائطية رقمية للشباب",
        (
            "تجهيز قاعة بحواسيب وربط بالإنترنت وكتب رقمية، مع ورشات للبرمجة والتصميم "
            "لفائدة الشباب."
        ),
        "culture",
        ["youth"],
        350_000,
        "مكتبة وسائطية رقمية",
        "Médiathèque numérique pour les jeunes",
    ),
    (
        "fr",
        "Conteneurs de tri sélectif dans tous les quartiers",
        (
            "Installer des conteneurs de tri (plastique, verre, papier) et lancer une "
            "campagne de sensibilisation dans les écoles."
        ),
        "environment",
        ["everyone"],
        300_000,
        "حاويات لفرز النفايات",
        "Conteneurs de tri sélectif",
    ),
]
DISTRICT_IDEAS = [
    (
        "ar",
        "إنارة عمومية بالطاقة الشمسية",
        (
            "الشارع الرئيسي مظلم بعد المغرب، والنساء والتلاميذ يخافون المرور. نقترح أعمدة "
            "إنارة تعمل بالطاقة الشمسية."
        ),
        "roads",
        ["women", "everyone"],
        180_000,
        "إنارة عمومية بالطاقة الشمسية",
        "Éclairage public solaire",
    ),
    (
        "fr",
        "Aire de jeux pour enfants",
        (
            "Un espace clôturé avec des jeux sûrs et un sol amortissant, et des bancs "
            "ombragés pour les parents."
        ),
        "green",
        ["children"],
        150_000,
        "فضاء ألعاب للأطفال",
        "Aire de jeux pour enfants",
    ),
    (
        "ar",
        "ملعب قرب معشوشب",
        (
            "تحويل الأرض الخلاء قرب المدرسة إلى ملعب قرب بعشب اصطناعي وإنارة، مع حصص "
            "للفتيات."
        ),
        "sports",
        ["youth"],
        260_000,
        "ملعب قرب معشوشب",
        "Terrain de proximité en gazon synthétique",
    ),
    (
        "fr",
        "Jardin public et plantation d'arbres",
        (
            "Planter des arbres d'ombre, créer des allées et un point d'eau pour faire du "
            "terrain vague un jardin de quartier."
        ),
        "green",
        ["everyone"],
        140_000,
        "حديقة عمومية وغرس الأشجار",
        "Jardin public et plantation d'arbres",
    ),
    (
        "ar",
        "تبليط الأزقة وتصريف مياه الأمطار",
        (
            "الأزقة تتحول إلى أوحال كل شتاء. نقترح تبليطها وإنشاء قنوات لتصريف مياه "
            "الأمطار."
        ),
        "roads",
        ["everyone"],
        220_000,
        "تبليط الأزقة وتصريف مياه الأمطار",
        "Pavage des ruelles et évacuation des eaux de pluie",
    ),
    (
        "fr",
        "Salle de lecture de quartier",
        (
            "Une salle calme avec des livres en arabe, en français et en amazighe, ouverte "
            "après l'école et le samedi."
        ),
        "culture",
        ["children", "youth"],
        120_000,
        "قاعة للمطالعة بالحي",
        "Salle de lecture de quartier",
    ),
    (
        "ar",
        "نافورة ومقاعد في ساحة الحي",
        "إصلاح النافورة القديمة ووضع مقاعد وأشجار في الساحة ليجلس فيها المسنون.",
        "other",
        ["elderly"],
        90_000,
        "نافورة ومقاعد في ساحة الحي",
        "Fontaine et bancs sur la place du quartier",
    ),
]
NOT_FEASIBLE = [
    (
        "fr",
        "Construire un hôpital régional",
        (
            "Ouazzane a besoin d'un grand hôpital avec toutes les spécialités pour éviter "
            "les trajets vers Tétouan ou Rabat."
        ),
        "health",
        ["everyone"],
        1_100_000,
    ),
    (
        "ar",
        "توسيع الطريق الوطنية رقم 13",
        "توسيع الطريق الوطنية عند مدخل المدينة لتفادي الازدحام والحوادث.",
        "roads",
        ["everyone"],
        950_000,
    ),
]
LOCATIONS = {"ar": "قرب المدرسة الابتدائية", "fr": "Près de l'école primaire"}


def extra_residents(ctx, count: int) -> list[User]:
    """More demo residents, so that nobody exceeds the per-resident limit."""
    people = []
    for index in range(count):
        user = User(
            commune_id=ctx["commune"].id,
            kind="resident",
            phone=f"+2126123460{index:02d}",
            created_at_dt=ctx["now"],
        )
        db.session.add(user)
        people.append(user)
    db.session.flush()  # proposals need the ids
    return people


class Planner:
    """Creates proposals through the real service, at moments inside the cycle's
    proposals phase, rotating authors so the per-resident limit holds."""

    def __init__(self, ctx, cycle, authors):
        self.ctx, self.cycle, self.authors = ctx, cycle, authors
        self.categories = {
            c.key: c.id for c in services.ensure_categories(cycle.commune_id)
        }
        start, end = phase_span(cycle, "proposals")
        self.start = start
        self.step = (min(end, ctx["now"]) - start) / 40
        self.count = 0

    def make(
        self, idea, scope, *, submit=True, association=None, author=None, cost=None
    ):
        language, title, description, category, beneficiaries, estimate = idea[:6]
        author = author or self.authors[self.count % len(self.authors)]
        moment = self.start + self.step * (self.count + 1)
        self.count += 1
        district = scope.district.name_fr if scope.district else ""
        data = services.ProposalInput(
            title=title
            if not district
            else f"{title} · {scope.district.name_ar}"
            if language == "ar"
            else f"{title} · {district}",
            description=description,
            scope_id=scope.id,
            category_id=self.categories[category],
            estimated_cost=cost or estimate,
            beneficiaries=beneficiaries,
            location_text=f"{LOCATIONS[language]}, {district}".strip(", "),
            association_id=association.id if association else None,
        )
        data.latitude, data.longitude = _demo_point(self.count, district)
        return services.save_proposal(
            author, self.cycle, None, data, [], submit=submit, now=moment
        )


def _demo_point(count: int, district: str):
    """A point inside the proposal's district (the middle of its outline in the
    commune's GeoJSON, or of the commune) for two proposals in three; the third
    keeps an address only, as many residents will."""
    if count % 3 == 0:
        return None, None
    collection = places.areas() or {"features": []}
    kind = "district" if district else "commune"
    for feature in collection["features"]:
        properties = feature.get("properties") or {}
        if properties.get("kind") == kind and properties.get("name", "") in (
            district,
            "Ouazzane",
        ):
            ring = feature["geometry"]["coordinates"][0][:-1]
            longitude = sum(point[0] for point in ring) / len(ring)
            latitude = sum(point[1] for point in ring) / len(ring)
            jitter = ((count * 7) % 5 - 2) / 2000  # markers of one district apart
            return round(latitude + jitter, 6), round(longitude - jitter, 6)
    return None, None


def _reviewed_cycle(ctx, cycle, authors) -> dict:
    """Every idea submitted; the plan says how the reviews seed answers each."""
    planner = Planner(ctx, cycle, authors)
    plans = {}
    commune_scope = next(s for s in cycle.scopes if s.district_id is None)
    district_scopes = [s for s in cycle.scopes if s.district_id is not None]
    association = ctx["associations"]["approved"]
    ideas = COMMUNE_IDEAS[: 5 if len(district_scopes) > 3 else 4]
    for index, idea in enumerate(ideas):
        proposal = planner.make(
            idea,
            commune_scope,
            association=association if index == 0 else None,
            author=ctx["residents"][0] if index == 0 else None,
        )
        plans[proposal.id] = {
            "decision": "feasible",
            "cost": idea[5],
            "title_ar": idea[6],
            "title_fr": idea[7],
        }
    for index, scope in enumerate(district_scopes):
        chosen = [
            DISTRICT_IDEAS[(index * 2 + k) % len(DISTRICT_IDEAS)] for k in range(3)
        ]
        total = sum(idea[5] for idea in chosen)
        # The projects of a scope cost more than its money: voters must choose.
        factor = max(1.0, 1.35 * scope.amount / total)
        for k, idea in enumerate(chosen):
            cost = int(idea[5] * factor / 1000) * 1000
            proposal = planner.make(idea, scope, cost=cost)
            decision = "feasible_with_changes" if k == 2 and index % 2 else "feasible"
            plans[proposal.id] = {
                "decision": decision,
                "cost": cost,
                "title_ar": f"{idea[6]} · {scope.district.name_ar}",
                "title_fr": f"{idea[7]} · {scope.district.name_fr}",
            }
    first_district = district_scopes[0]
    duplicate = planner.make(
        (
            "ar",
            "إضاءة الشارع الرئيسي ليلا",
            "نفس فكرة الإنارة: الشارع الرئيسي مظلم ويجب إضاءته.",
            "roads",
            ["women"],
            150_000,
        ),
        first_district,
    )
    target = next(
        pid
        for pid, plan in plans.items()
        if "Éclairage" in plan["title_fr"]
        and first_district.district.name_fr in plan["title_fr"]
    )
    plans[duplicate.id] = {"decision": "merged", "into": target}
    for idea in NOT_FEASIBLE:
        proposal = planner.make(idea, commune_scope)
        plans[proposal.id] = {"decision": "not_feasible"}
    _supports_and_comments(ctx, cycle, list(plans), planner)
    return plans


def _supports_and_comments(ctx, cycle, proposal_ids, planner) -> None:
    from pbvote.proposals.models import Proposal

    people = ctx["residents"] + ctx["demo_extra_residents"]
    moment = planner.start + planner.step * 39
    for rank, proposal_id in enumerate(proposal_ids):
        proposal = db.session.get(Proposal, proposal_id)
        for person in people[: (len(people) * (rank * 7 % 11)) // 11]:
            if person.id != proposal.author_id:
                social.support_proposal(person, proposal, moment)
    first = db.session.get(Proposal, proposal_ids[0])
    question = conversations.add_comment(
        people[3],
        first,
        "فكرة ممتازة، أبنائي يمشون كل يوم مسافة طويلة إلى المدرسة.",
        moment,
    )
    conversations.add_comment(
        people[4],
        first,
        "Très bonne idée. Il faudrait aussi un accompagnateur dans le bus.",
        moment,
    )
    # A reply under the first comment (one level of replies).
    conversations.add_comment(
        people[0],
        first,
        "نفس الشيء في حينا، الطريق طويلة وغير مضاءة.",
        moment,
        parent_id=question.id,
    )


def _next_cycle(ctx, cycle, authors) -> dict:
    planner = Planner(ctx, cycle, authors)
    commune_scope = next(s for s in cycle.scopes if s.district_id is None)
    districts = [s for s in cycle.scopes if s.district_id is not None]
    made = {"submitted": [], "draft": []}
    for index, idea in enumerate(COMMUNE_IDEAS[3:7]):
        made["submitted"].append(planner.make(idea, commune_scope))
    for index, idea in enumerate(DISTRICT_IDEAS[:6]):
        scope = districts[index % len(districts)]
        made["submitted"].append(planner.make(idea, scope))
    for idea in DISTRICT_IDEAS[5:7]:
        made["draft"].append(
            planner.make(idea, districts[-1], submit=False, author=ctx["residents"][2])
        )
    withdrawn = made["submitted"].pop()
    services.withdraw_proposal(withdrawn.author, withdrawn, ctx["now"])
    _supports_and_comments(ctx, cycle, [p.id for p in made["submitted"]], planner)
    return made


def seed(ctx) -> None:
    ctx["demo_extra_residents"] = extra_residents(ctx, 12)
    authors = ctx["residents"][1:] + ctx["demo_extra_residents"]
    ctx["proposal_plans"] = {}
    for key in ("past_cycle", "current_cycle"):
        ctx["proposal_plans"].update(_reviewed_cycle(ctx, ctx[key], authors))
    ctx["next_proposals"] = _next_cycle(ctx, ctx["next_cycle"], authors)
    db.session.flush()  # the reviews seed reads them back
    ctx["lines"].append(
        f"Proposals: {len(ctx['proposal_plans'])} answered in the past "
        f"and current cycles, "
        f"{len(ctx['next_proposals']['submitted'])} open in next "
        "year's "
        "cycle (/proposals). Residents' drafts: sign in as "
        f"{ctx['residents'][2].phone}."
    )
