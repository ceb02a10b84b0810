"""Lead images: upload validation, renditions made once, and the figure on the page."""

import hashlib
import io
import math
import re
from unittest import mock

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory
from PIL import ExifTags, Image

from commentary import images
from commentary.images import (
    LeadImageFormField,
    rendition_url,
    renditions,
    responsive_image,
    validate_image,
)
from commentary.models import Article

RED = (220, 20, 20)
BLUE = (20, 40, 200)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test writes its originals and renditions under its own temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    settings.MEDIA_URL = "/media/"
    settings.IMAGE_RENDITION_WIDTHS = [480, 800, 1200, 1600]
    settings.IMAGE_MIN_WIDTH = 600
    settings.IMAGE_MAX_PIXELS = 40_000_000
    settings.IMAGE_MAX_UPLOAD_MB = 10
    return tmp_path


def picture(size, color=BLUE, mode="RGB"):
    return Image.new(mode, size, color)


def encode(image, image_format="JPEG", **options):
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def jpeg(size=(1200, 800), color=BLUE, orientation=None):
    image = picture(size, color)
    if orientation is None:
        return encode(image, quality=90)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    return encode(image, quality=90, exif=exif.tobytes())


def stored(data, name="articles/2014/02/sochi.jpg"):
    """Put ``data`` in storage as an uploaded original, exactly at ``name``."""
    assert default_storage.save(name, io.BytesIO(data)) == name
    return name


def article_with(name, **fields):
    """An unsaved article whose lead image is the stored file ``name``."""
    fields.setdefault("lead_image_alt", "The Olympic rings on the beach at Sochi")
    return Article(title="Sochi", slug="sochi", lead_image=name, **fields)


def opened(url):
    """The stored rendition behind a media URL, as a loaded Pillow image."""
    with default_storage.open(url.removeprefix("/media/"), "rb") as file:
        image = Image.open(file)
        image.load()
    return image


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def refusal(data, name="photo.jpg"):
    with pytest.raises(ValidationError) as refused:
        validate_image(upload(data, name))
    return refused.value


def message(error):
    return " ".join(error.messages)


# --- renditions ------------------------------------------------------------------------------


def test_renditions_cover_the_configured_widths_narrowest_first():
    article = article_with(stored(jpeg((2000, 1000))))

    made = renditions(article.lead_image)

    assert [width for _, width in made] == [480, 800, 1200, 1600]
    for url, width in made:
        assert opened(url).size == (width, width // 2)


def test_renditions_never_upscale_and_offer_the_original_width_instead():
    article = article_with(stored(jpeg((1000, 600))))

    made = renditions(article.lead_image)

    assert [width for _, width in made] == [480, 800, 1000]
    assert opened(made[-1][0]).size == (1000, 600)
    assert not any(
        name.endswith(("-1200w.jpg", "-1600w.jpg"))
        for name in default_storage.listdir("renditions/articles/2014/02")[1]
    )


def test_an_original_exactly_as_wide_as_a_configured_width_adds_nothing():
    article = article_with(stored(jpeg((1200, 800))))

    assert [width for _, width in renditions(article.lead_image)] == [480, 800, 1200]


def test_renditions_are_stored_under_a_name_from_the_original_its_size_and_the_width():
    data = jpeg((1200, 800))
    article = article_with(stored(data))
    digest = hashlib.sha256(f"articles/2014/02/sochi.jpg:{len(data)}".encode()).hexdigest()[:8]

    urls = [url for url, _ in renditions(article.lead_image)]

    assert urls == [
        f"/media/renditions/articles/2014/02/sochi-{digest}-{width}w.jpg"
        for width in (480, 800, 1200)
    ]
    for url in urls:
        assert default_storage.exists(url.removeprefix("/media/"))


def test_a_different_original_under_the_same_name_gets_new_renditions():
    first = renditions(article_with(stored(jpeg((1200, 800)))).lead_image)
    default_storage.delete("articles/2014/02/sochi.jpg")
    cache.clear()

    replaced = jpeg((1200, 800), color=RED, orientation=1)  # another size in bytes
    second = renditions(article_with(stored(replaced)).lead_image)

    assert {url for url, _ in first}.isdisjoint(url for url, _ in second)
    assert opened(second[0][0]).getpixel((10, 10))[0] > 200


def test_renditions_are_made_once_then_come_from_the_cache_without_pillow_or_storage():
    article = article_with(stored(jpeg((1600, 900))))
    first = renditions(article.lead_image)

    with (
        mock.patch.object(images.Image, "open", side_effect=AssertionError("Pillow used")),
        mock.patch.object(FileSystemStorage, "exists", side_effect=AssertionError("exists")),
        mock.patch.object(FileSystemStorage, "open", side_effect=AssertionError("open")),
        mock.patch.object(FileSystemStorage, "save", side_effect=AssertionError("save")),
    ):
        again = renditions(article.lead_image)
        url = rendition_url(article.lead_image, 800)

    assert again == first
    assert url == first[1][0]


def test_a_rendition_already_in_storage_is_not_made_again_after_the_cache_is_lost():
    article = article_with(stored(jpeg((1600, 900))))
    first = renditions(article.lead_image)
    cache.clear()

    with (
        mock.patch.object(FileSystemStorage, "save", side_effect=AssertionError("saved again")),
        mock.patch.object(images.Image.Image, "save", side_effect=AssertionError("encoded")),
    ):
        again = renditions(article.lead_image)

    assert again == first


def test_only_the_missing_rendition_is_made_from_one_decoding_of_the_original():
    article = article_with(stored(jpeg((1600, 900))))
    made = renditions(article.lead_image)
    default_storage.delete(made[1][0].removeprefix("/media/"))
    cache.clear()

    with mock.patch.object(FileSystemStorage, "save", wraps=default_storage.save) as save:
        again = renditions(article.lead_image)

    assert [call.args[0] for call in save.call_args_list] == [made[1][0].removeprefix("/media/")]
    assert again == made


def test_a_rendition_saved_meanwhile_by_another_worker_is_kept_and_the_copy_dropped():
    """Two workers find the rendition missing and both make it: the second save must not leave
    a ``…_AbCdEf1.jpg`` duplicate behind, and both answer with the same name."""
    name = stored(jpeg((1200, 800)))
    article = article_with(name)
    real_save = FileSystemStorage.save

    def other_worker_first(storage, target, content, max_length=None):
        real_save(storage, target, io.BytesIO(content.read()))
        content.seek(0)
        return real_save(storage, target, content)

    with mock.patch.object(FileSystemStorage, "save", other_worker_first):
        url = rendition_url(article.lead_image, 480)

    assert url.endswith("-480w.jpg")
    assert default_storage.listdir("renditions/articles/2014/02")[1] == [url.rsplit("/", 1)[1]]


def test_rendition_url_clamps_to_the_original_width():
    article = article_with(stored(jpeg((1000, 500))))

    assert rendition_url(article.lead_image, 800).endswith("-800w.jpg")
    assert rendition_url(article.lead_image, 4000).endswith("-1000w.jpg")
    assert opened(rendition_url(article.lead_image, 4000)).size == (1000, 500)


def test_exif_orientation_is_applied_and_not_left_for_browsers_to_apply_again():
    # Stored sideways, 1200 × 800, with the red corner top left; orientation 6 means "turn
    # a quarter clockwise to show": shown 800 × 1200, with the red corner top right.
    image = picture((1200, 800))
    image.paste(RED, (0, 0, 200, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    article = article_with(stored(encode(image, quality=95, exif=exif.tobytes())))

    made = renditions(article.lead_image)

    assert [width for _, width in made] == [480, 800]
    rendition = opened(made[0][0])
    assert rendition.size == (480, 720)
    assert rendition.getpixel((470, 10))[0] > 200  # top right: red
    assert rendition.getpixel((10, 10))[0] < 100  # top left: blue
    assert ExifTags.Base.Orientation not in rendition.getexif()


def test_jpeg_renditions_are_progressive_rgb_without_the_camera_metadata():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    cmyk = encode(picture((1200, 800), (0, 200, 200, 0), mode="CMYK"), exif=exif.tobytes())
    article = article_with(stored(cmyk))

    rendition = opened(rendition_url(article.lead_image, 800))

    assert rendition.format == "JPEG"
    assert rendition.mode == "RGB"
    assert rendition.info.get("progressive") or rendition.info.get("progression")
    assert ExifTags.Base.Make not in rendition.getexif()


def test_a_transparent_png_stays_png_and_keeps_its_transparency():
    image = picture((1000, 500), (*BLUE, 255), mode="RGBA")
    image.paste((0, 0, 0, 0), (0, 0, 500, 500))
    article = article_with(stored(encode(image, "PNG"), "articles/2014/02/map.png"))

    made = renditions(article.lead_image)

    assert all(url.endswith(".png") for url, _ in made)
    rendition = opened(made[0][0])
    assert rendition.format == "PNG"
    assert rendition.getpixel((10, 10))[3] == 0
    assert rendition.getpixel((470, 10))[3] == 255


def test_a_gif_with_a_transparent_colour_becomes_png():
    image = picture((800, 400), 1, mode="P")
    image.putpalette([255, 255, 255, *BLUE] + [0] * 762)
    image.paste(0, (0, 0, 400, 400))
    article = article_with(stored(encode(image, "GIF", transparency=0), "articles/logo.gif"))

    url = rendition_url(article.lead_image, 480)

    assert url.endswith("-480w.png")
    rendition = opened(url).convert("RGBA")
    assert rendition.getpixel((10, 10))[3] == 0
    assert rendition.getpixel((470, 10))[:3] == BLUE


def test_an_opaque_png_becomes_jpeg():
    article = article_with(stored(encode(picture((900, 600)), "PNG"), "articles/chart.png"))

    assert all(url.endswith(".jpg") for url, _ in renditions(article.lead_image))


def test_no_image_means_no_renditions():
    article = Article(title="No picture", slug="no-picture")

    assert renditions(article.lead_image) == []
    assert rendition_url(article.lead_image, 800) == ""
    assert responsive_image(article.lead_image) is None


def test_a_missing_original_gives_no_renditions_and_is_not_retried_on_every_view(caplog):
    article = article_with("articles/2014/02/gone.jpg")

    assert renditions(article.lead_image) == []
    with mock.patch.object(FileSystemStorage, "open", side_effect=AssertionError("retried")):
        assert renditions(article.lead_image) == []
    assert "articles/2014/02/gone.jpg" in caplog.text


# --- the figure ------------------------------------------------------------------------------


def render(article, tag="{% lead_image article %}"):
    return Template("{% load images %}" + tag).render(Context({"article": article}))


def img_attributes(html):
    img = re.search(r"<img ([^>]*)>", html).group(1)
    return dict(re.findall(r'([\w-]+)="([^"]*)"', img)), img


def test_the_lead_image_is_a_figure_with_srcset_sizes_and_dimensions():
    data = jpeg((1500, 1000))
    article = article_with(stored(data))
    urls = {width: url for url, width in renditions(article.lead_image)}

    html = render(article)

    attributes, _ = img_attributes(html)
    assert html.strip().startswith('<figure class="lead-image">')
    assert attributes["src"] == urls[800]
    assert attributes["srcset"] == (
        f"{urls[480]} 480w, {urls[800]} 800w, {urls[1200]} 1200w, {urls[1500]} 1500w"
    )
    assert attributes["sizes"] == "(min-width: 60rem) 42rem, 100vw"
    assert (attributes["width"], attributes["height"]) == ("800", "533")
    assert attributes["alt"] == "The Olympic rings on the beach at Sochi"


def test_the_lead_image_is_fetched_first_never_lazily_on_the_article_page():
    attributes, img = img_attributes(render(article_with(stored(jpeg()))))

    assert attributes["fetchpriority"] == "high"
    assert attributes["decoding"] == "async"
    assert "loading=" not in img


def test_a_teaser_image_below_the_fold_loads_lazily():
    article = article_with(stored(jpeg()))

    attributes, img = img_attributes(render(article, "{% lead_image article above_fold=False %}"))

    assert attributes["loading"] == "lazy"
    assert "fetchpriority" not in img


def test_a_small_original_is_its_own_default_rendition():
    attributes, _ = img_attributes(render(article_with(stored(jpeg((700, 350))))))

    assert attributes["src"].endswith("-700w.jpg")
    assert attributes["srcset"].endswith("-700w.jpg 700w")
    assert (attributes["width"], attributes["height"]) == ("700", "350")


def test_the_caption_and_the_credit_are_shown_under_the_image():
    article = article_with(
        stored(jpeg()),
        lead_image_caption="Preparations in Sochi, February 2014.",
        lead_image_credit="Reuters",
    )

    html = render(article)

    caption = re.search(r'<figcaption class="lead-image__caption">(.*?)</figcaption>', html, re.S)
    assert "Preparations in Sochi, February 2014." in caption.group(1)
    assert '<span class="lead-image__credit">Photo: Reuters</span>' in caption.group(1)


def test_without_caption_or_credit_there_is_no_figcaption():
    assert "figcaption" not in render(article_with(stored(jpeg())))


def test_alt_caption_and_credit_are_escaped():
    article = article_with(
        stored(jpeg()),
        lead_image_alt='A "peace" sign',
        lead_image_caption="<script>x</script>",
        lead_image_credit="<b>AP</b>",
    )

    html = render(article)

    assert 'alt="A &quot;peace&quot; sign"' in html
    assert "<script>" not in html
    assert "<b>" not in html
    assert "Photo: &lt;b&gt;AP&lt;/b&gt;" in html


def test_no_image_renders_nothing():
    assert render(Article(title="No picture", slug="no-picture")).strip() == ""


def test_an_unreadable_image_renders_nothing_rather_than_breaking_the_page():
    name = stored(b"<html>not a picture</html>", "articles/2014/02/broken.jpg")

    assert render(article_with(name)).strip() == ""


def test_a_storage_failure_renders_nothing_rather_than_breaking_the_page():
    article = article_with(stored(jpeg()))

    with mock.patch.object(FileSystemStorage, "exists", side_effect=RuntimeError("S3 is down")):
        assert render(article).strip() == ""


def test_the_stylesheet_gives_the_lead_image_the_measure_and_a_muted_small_caption(settings):
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    section = css[css.index("/* Lead image") :]

    def rule(selector):
        body = section[section.index(selector + " {") :]
        return body[: body.index("}")]

    assert "max-width: var(--measure)" in rule(".lead-image")
    assert "width: 100%" in rule(".lead-image__img")
    assert "height: auto" in rule(".lead-image__img")
    assert "color: var(--muted)" in rule(".lead-image__caption")
    assert "font-size: 0.875rem" in rule(".lead-image__caption")


# --- validation ------------------------------------------------------------------------------


def test_a_real_jpeg_png_webp_and_gif_are_accepted():
    validate_image(upload(jpeg()))
    validate_image(upload(encode(picture((800, 600)), "PNG"), "a.png"))
    validate_image(upload(encode(picture((800, 600)), "WEBP"), "a.webp"))
    validate_image(upload(encode(picture((800, 600)).convert("P"), "GIF"), "a.gif"))


def test_a_camera_jpeg_that_pillow_calls_mpo_is_accepted():
    data = encode(picture((1200, 800)), "MPO", save_all=True, append_images=[picture((1200, 800))])
    assert Image.open(io.BytesIO(data)).format == "MPO"

    validate_image(upload(data))


def test_an_html_file_renamed_jpg_is_refused_by_its_content():
    error = refusal(b"<html><body><?php system($_GET['c']); ?></body></html>", "sochi.jpg")

    assert error.code == "not_an_image"
    assert message(error) == (
        "“sochi.jpg” is not an image we can read. Upload a JPEG, PNG, WebP or GIF file."
    )


def test_an_svg_is_refused_with_its_own_message():
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="900"/>'

    error = refusal(svg, "map.jpg")

    assert error.code == "svg"
    assert "SVG drawings are not accepted" in message(error)


def test_another_image_format_is_refused_by_name():
    error = refusal(encode(picture((800, 600)), "TIFF"), "scan.tif")

    assert error.code == "format"
    assert message(error) == "TIFF images are not accepted. Upload a JPEG, PNG, WebP or GIF."


def test_a_narrow_image_is_refused_naming_both_widths():
    error = refusal(jpeg((500, 400)))

    assert error.code == "too_small"
    assert message(error) == (
        "The image is 500 pixels wide; a lead image must be at least 600 pixels wide."
    )


def test_the_minimum_width_is_the_width_shown_after_exif_orientation():
    # 1200 × 500 as stored, but turned upright it is 500 wide; and the other way round.
    error = refusal(jpeg((1200, 500), orientation=6))

    assert error.code == "too_small"
    assert "500 pixels wide" in message(error)
    validate_image(upload(jpeg((500, 1200), orientation=8)))


def test_a_file_over_the_size_limit_is_refused_naming_both_sizes(settings):
    settings.IMAGE_MAX_UPLOAD_MB = 1
    data = jpeg() + b"\0" * (1024 * 1024)  # a real JPEG, padded past 1 MB
    size = math.ceil(len(data) / 1024 / 1024 * 10) / 10

    error = refusal(data)

    assert error.code == "too_large"
    assert message(error) == (
        f"The file is {size:.1f} MB; a lead image may be at most 1 MB. "
        "Save it smaller or more compressed and upload it again."
    )


def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded(settings):
    settings.IMAGE_MAX_PIXELS = 500_000
    data = jpeg((1000, 600))

    with mock.patch.object(images.Image.Image, "load", side_effect=AssertionError("decoded")):
        error = refusal(data)

    assert error.code == "too_many_pixels"
    assert message(error) == (
        "The image is 1000 × 600 pixels (0.6 megapixels); a lead image may have at most "
        "0.5 megapixels. Scale it down and upload it again."
    )


def test_a_decompression_bomb_pillow_will_not_open_is_refused_as_too_many_pixels():
    with mock.patch.object(images.Image, "MAX_IMAGE_PIXELS", 100_000):
        error = refusal(jpeg((1000, 600)))

    assert error.code == "too_many_pixels"
    assert "at most 40 megapixels" in message(error)


def test_an_image_already_in_storage_is_not_checked_again():
    """Saving an old article must not re-read its image, nor refuse it when a limit rises."""
    article = article_with(stored(jpeg((500, 400))))

    with mock.patch.object(images.Image, "open", side_effect=AssertionError("re-read")):
        validate_image(article.lead_image)


def test_the_upload_field_explains_refusals_in_our_words():
    field = LeadImageFormField()

    with pytest.raises(ValidationError) as refused:
        field.clean(upload(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "map.svg"))

    assert refused.value.code == "svg"
    assert field.clean(upload(jpeg())).name == "photo.jpg"


# --- the admin form --------------------------------------------------------------------------


def admin_form(editor, files, **data):
    request = RequestFactory().get("/")
    request.user = editor
    form_class = admin.site._registry[Article].get_form(
        request, fields=["title", "slug", "body", "lead_image", "lead_image_alt"]
    )
    return form_class(
        data={"title": "Sochi", "slug": "sochi", "body": "<p>Text.</p>", **data}, files=files
    )


def test_the_admin_refuses_a_fake_jpeg_on_the_image_field(editor):
    form = admin_form(
        editor, {"lead_image": upload(b"<html>hello</html>", "sochi.jpg")}, lead_image_alt="x"
    )

    assert not form.is_valid()
    assert form.errors["lead_image"]


def test_the_admin_refuses_a_narrow_image_with_the_numbers(editor):
    form = admin_form(editor, {"lead_image": upload(jpeg((500, 400)))}, lead_image_alt="A beach")

    assert not form.is_valid()
    assert form.errors["lead_image"] == [
        "The image is 500 pixels wide; a lead image must be at least 600 pixels wide."
    ]


def test_the_admin_asks_for_alt_text_when_an_image_is_uploaded(editor):
    form = admin_form(editor, {"lead_image": upload(jpeg())}, lead_image_alt="")

    assert not form.is_valid()
    shown = [error for errors in form.errors.values() for error in errors]
    assert "Describe the lead image for readers who cannot see it." in shown


def test_the_admin_shows_the_missing_alt_text_on_the_alt_field(editor):
    form = admin_form(editor, {"lead_image": upload(jpeg())}, lead_image_alt="")

    assert not form.is_valid()
    assert form.errors["lead_image_alt"] == [
        "Describe the lead image for readers who cannot see it."
    ]
