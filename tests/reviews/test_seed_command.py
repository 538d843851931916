from sqlalchemy import func, select

from pbvote.extensions import db
from pbvote.proposals.models import Category
from pbvote.reviews.models import AdvisoryBody, AssignmentRule


def test_seed_command_is_idempotent(app, runner, commune):
    for _ in range(2):
        result = runner.invoke(args=["seed-proposal-data"])
        assert result.exit_code == 0, result.output
    assert "10 categories and 6 advisory bodies" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Category)) == 10
        assert db.session.scalar(select(func.count()).select_from(AdvisoryBody)) == 6
        assert db.session.scalar(select(func.count()).select_from(AssignmentRule)) == 7
