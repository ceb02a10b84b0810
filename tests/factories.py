"""factory_boy factories for every model; tests build their data with these."""

import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from accounts.roles import ADMINISTRATORS, CONTRIBUTORS, EDITORS, MODERATORS
from commentary.models import Article, ArticleAuthor, Author, Column, Comment, Publication, Tag


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


def _role_factory(name, group, prefix, doc):
    def add_role(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get(name=group))

    return type(
        name,
        (UserFactory,),
        {
            "__doc__": doc,
            "__module__": __name__,
            "username": factory.Sequence(lambda n: f"{prefix}{n}"),
            "is_staff": True,
            "role": factory.PostGeneration(add_role),
        },
    )


EditorFactory = _role_factory("EditorFactory", EDITORS, "editor", "An editor: all content.")
ModeratorFactory = _role_factory(
    "ModeratorFactory", MODERATORS, "moderator", "A moderator: comments only."
)
ContributorFactory = _role_factory(
    "ContributorFactory",
    CONTRIBUTORS,
    "contributor",
    "A column writer with staff access: their own drafts, which they submit for review.",
)
AdministratorFactory = _role_factory(
    "AdministratorFactory",
    ADMINISTRATORS,
    "administrator",
    "Holds every permission through the Administrators group (not a superuser).",
)


class PublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publication
        django_get_or_create = ("name",)

    name = "World Politics Review"
    short_name = "WPR"
    slug = factory.LazyAttribute(lambda publication: slugify(publication.name))
    homepage_url = "https://www.worldpoliticsreview.com/"


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author Number{n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    tagline = "a senior fellow at the Hudson Institute"
    pronoun = Author.Pronoun.HE


class ColumnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Column
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Column {n}")
    slug = factory.Sequence(lambda n: f"column-{n}")
    publication = factory.SubFactory(PublicationFactory)
    cadence = Column.Cadence.WEEKLY
    weekday = Column.Weekday.TUESDAY

    @factory.post_generation
    def authors(column, create, extracted, **kwargs):
        if create and extracted:
            column.authors.set(extracted)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda tag: slugify(tag.name, allow_unicode=True))


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article, live since yesterday, with one author."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article number {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    summary = "A short summary of the argument."
    body = "<p>First paragraph.</p>\n<p>Second paragraph.</p>"
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    language = Article.Language.ENGLISH

    @factory.post_generation
    def authors(article, create, extracted, **kwargs):
        if not create:
            return
        authors = extracted if extracted is not None else [AuthorFactory()]
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor(article=article, author=author, position=position)
            for position, author in enumerate(authors)
        )

    @factory.post_generation
    def tags(article, create, extracted, **kwargs):
        if create and extracted:
            article.tags.add(*extracted)


class DraftArticleFactory(ArticleFactory):
    status = Article.Status.DRAFT
    published_at = None


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory)
    body = "A thoughtful remark about the argument."
    author_name = factory.Sequence(lambda n: f"Reader {n}")
    author_email = factory.Sequence(lambda n: f"reader{n}@example.org")
    status = Comment.Status.PENDING

    class Params:
        approved = factory.Trait(
            status=Comment.Status.APPROVED, moderated_at=factory.LazyFunction(timezone.now)
        )
        rejected = factory.Trait(
            status=Comment.Status.REJECTED, moderated_at=factory.LazyFunction(timezone.now)
        )


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "commentary.Correction"

    article = factory.SubFactory(ArticleFactory)
    note = "An earlier version misstated the date of the summit; it was Feb. 6."
