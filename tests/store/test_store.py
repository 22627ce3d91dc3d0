"""The store on SQLite and on PostgreSQL: migrations up and down, the built-in katas loaded, and the catalogue's
queries (filters, search, sort, pages) as a visitor of the site would use them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, select

from mlkatas.store.db import Database, database_url
from mlkatas.store.katas import KataQuery, QueryError, autocomplete, get_kata, list_katas
from mlkatas.store.models import Action, Kata, KataTopic, Note, User
from mlkatas.store.seed import sync_catalog

TABLES = {"users", "katas", "kata_topics", "actions", "notes", "prompts", "sessions"}


def add_kata(session, slug, title, *, topics=("einops",), difficulty="easy", time="<10 mins", created=None,
             upvotes=0, description="A kata."):
    kata = Kata(slug=slug, title=title, description=description, difficulty=difficulty, time=time,
                topics="\n".join(topics), judged=False, created_at=created or dt.datetime(2026, 11, 1),
                upvotes=upvotes, saves=0, solves=0)
    kata.topic_rows = [KataTopic(topic=t) for t in topics]
    session.add(kata)
    return kata


def test_migrations_run_up_from_empty_and_down_again(database_url):
    database = Database(database_url)
    database.migrate()
    names = set(inspect(database.engine).get_table_names())
    assert names >= TABLES
    if database.is_sqlite:
        assert "kata_search" in names  # the FTS5 index; PostgreSQL's is a column of katas
    else:
        assert "search" in {c["name"] for c in inspect(database.engine).get_columns("katas")}
    database.downgrade()
    assert not (TABLES | {"kata_search"}) & set(inspect(database.engine).get_table_names())
    database.migrate()  # and up again, from empty
    assert set(inspect(database.engine).get_table_names()) >= TABLES
    database.close()


def test_the_database_file_is_in_wal_mode(tmp_path):
    database = Database(str(tmp_path / "site.db"))
    database.migrate()
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    database.close()


def test_built_in_katas_load_once_and_keep_what_people_did(db, catalog):
    with db.session() as session:
        assert sync_catalog(session, catalog) == len(catalog.katas)
    with db.session() as session:
        kata = get_kata(session, "split-heads")
        assert kata.judged and kata.title == catalog.get("split-heads").title
        assert kata.created_at == dt.datetime(2026, 11, 28)
        assert set(kata.topic_list) == set(catalog.get("split-heads").topics)
        kata.upvotes = 7
    with db.session() as session:
        assert sync_catalog(session, catalog) == 0  # nothing changed: nothing written
        assert get_kata(session, "split-heads").upvotes == 7


def test_filters_combine_and_every_filter_value_is_checked(db):
    with db.session() as session:
        add_kata(session, "a", "Alpha", topics=("einops", "moe"), difficulty="medium")
        add_kata(session, "b", "Beta", topics=("einops",), difficulty="easy")
        add_kata(session, "c", "Gamma", topics=("vision",), difficulty="medium", time="<1 hr")
    with db.session() as session:
        page = list_katas(session, KataQuery(topic="einops", difficulty="medium"))
        assert [k.slug for k in page.items] == ["a"] and page.total == 1
        assert [k.slug for k in list_katas(session, KataQuery(time="<1 hr")).items] == ["c"]
        with pytest.raises(QueryError, match="difficulty='impossible'"):
            list_katas(session, KataQuery(difficulty="impossible"))
        with pytest.raises(QueryError, match="sort"):
            list_katas(session, KataQuery(sort="random"))


def test_created_filter_counts_from_the_start_of_the_period(db):
    now = dt.datetime(2026, 11, 30, 15, 0)  # a Monday
    with db.session() as session:
        add_kata(session, "today", "Today", created=dt.datetime(2026, 11, 30, 1, 0))
        add_kata(session, "sunday", "Sunday", created=dt.datetime(2026, 11, 29, 23, 0))
        add_kata(session, "november", "November", created=dt.datetime(2026, 11, 2))
        add_kata(session, "march", "March", created=dt.datetime(2026, 3, 1))
        add_kata(session, "old", "Old", created=dt.datetime(2025, 12, 31))
    with db.session() as session:
        def slugs(created):
            return {k.slug for k in list_katas(session, KataQuery(created=created), now=now).items}

        assert slugs("today") == slugs("this_week") == {"today"}
        assert slugs("this_month") == {"today", "sunday", "november"}
        assert slugs("this_year") == {"today", "sunday", "november", "march"}


def test_search_matches_prefixes_in_title_description_and_topics(db):
    with db.session() as session:
        add_kata(session, "split", "Splitting attention heads", description="Reshape with einops.")
        add_kata(session, "pool", "Global average pooling", topics=("vision",), description="Mean over H and W.")
        add_kata(session, "moe", "Expert routing", topics=("mixture-of-experts",), description="Top-k gating.")
    with db.session() as session:
        def found(q):
            return {k.slug for k in list_katas(session, KataQuery(q=q)).items}

        assert found("spli") == {"split"}  # as you type
        assert found("einop") == {"split"}  # description
        assert found("visi") == {"pool"}  # topic
        assert found("expert gat") == {"moe"}  # every word must match
        assert found("pooling mixture") == set()


@pytest.mark.parametrize("text", ['"', '"unclosed', "a*", "-b", "NEAR(a b)", "(", ")", "a OR", "AND", "x:y", "^",
                                  "' OR 1=1 --", "é\u0301", "\x00", "Z" * 2000, "  ", "🙂"])
def test_any_text_is_a_search_never_an_error(db, text):
    with db.session() as session:
        add_kata(session, "k", "Kata")
    with db.session() as session:
        assert list_katas(session, KataQuery(q=text)).total in (0, 1)
        assert list_katas(session, KataQuery(topic=text)).total == 0  # no topic is spelt like that
        assert set(autocomplete(session, text)) == {"titles", "topics"}
        assert get_kata(session, text) is None
        autocomplete(session, text)


def test_sorts_pages_and_solved_katas_sinking_for_a_signed_in_user(db):
    with db.session() as session:
        for i in range(30):
            add_kata(session, f"k{i:02d}", f"Kata {i}", created=dt.datetime(2026, 1, 1) + dt.timedelta(days=i),
                     upvotes=i % 7)
        user = User(username="Ada", username_key="ada", password_hash="x")
        session.add(user)
    with db.session() as session:
        first = list_katas(session, KataQuery(page=1))
        second = list_katas(session, KataQuery(page=2))
        assert first.total == 30 and first.pages == 2 and len(first.items) == 25 and len(second.items) == 5
        assert first.items[0].slug == "k29" and second.items[-1].slug == "k00"  # newest first
        by_votes = list_katas(session, KataQuery(sort="upvotes")).items
        assert [k.upvotes for k in by_votes] == sorted((k.upvotes for k in by_votes), reverse=True)
        newest = get_kata(session, "k29")
        session.add(Action(user_id=user.id, kata_id=newest.id, kind="complete"))
    with db.session() as session:
        mine = list_katas(session, KataQuery(page=2), user_id=user.id).items
        assert mine[-1].slug == "k29"  # solved: last
        assert list_katas(session, KataQuery()).items[0].slug == "k29"  # for anyone else: still first


def test_autocomplete_offers_titles_and_topics(db):
    with db.session() as session:
        add_kata(session, "a", "Pixel shuffle", topics=("vision", "einops"))
        add_kata(session, "b", "Pixel unshuffle", topics=("vision",))
        add_kata(session, "c", "Patch merging", topics=("vit",))
    with db.session() as session:
        offered = autocomplete(session, "pix")
        assert set(offered["titles"]) == {"Pixel shuffle", "Pixel unshuffle"}
        assert autocomplete(session, "vi")["topics"] == ["vision", "vit"]  # most used first
        assert autocomplete(session, "%")["topics"] == []  # a wildcard is a character, not a wildcard


def test_deleting_a_user_removes_their_katas_actions_and_notes(db):
    with db.session() as session:
        user = User(username="Bo", username_key="bo", password_hash="x")
        session.add(user)
        session.flush()
        kata = add_kata(session, "mine", "Mine")
        kata.author_id = user.id
        other = add_kata(session, "other", "Other")
        session.flush()
        session.add_all([Action(user_id=user.id, kata_id=other.id, kind="upvote"),
                         Note(user_id=user.id, kata_id=other.id, text="remember")])
    with db.session() as session:
        session.delete(session.get(User, user.id))
    with db.session() as session:
        assert get_kata(session, "mine") is None and get_kata(session, "other") is not None
        assert session.scalars(select(Action)).all() == [] and session.scalars(select(Note)).all() == []
        assert {k.slug for k in list_katas(session, KataQuery(q="mine")).items} == set()  # gone from the search too


@pytest.mark.parametrize(("given", "meant"), [
    ("site.db", "sqlite:///site.db"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ("postgresql://ada@db.example/katas", "postgresql+psycopg://ada@db.example/katas"),
    ("postgres://ada@db.example/katas", "postgresql+psycopg://ada@db.example/katas"),
    ("postgresql+psycopg://ada@/katas?host=/run", "postgresql+psycopg://ada@/katas?host=/run"),
])
def test_a_database_is_named_by_path_or_url(given, meant):
    assert database_url(given) == meant
