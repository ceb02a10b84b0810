"""Lead images: what an upload must be, and the resized renditions pages offer in srcset."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}


def validate_image(upload):
    """Refuse anything that is not a real JPEG, PNG, WebP or GIF image of a sensible size."""
    max_bytes = settings.IMAGE_MAX_UPLOAD_MB * 1024 * 1024
    if upload.size > max_bytes:
        raise ValidationError(
            _("The image is %(size).1f MB; the limit is %(limit)d MB."),
            code="too_large",
            params={"size": upload.size / 1024 / 1024, "limit": settings.IMAGE_MAX_UPLOAD_MB},
        )
    position = upload.tell() if hasattr(upload, "tell") else None
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            _("This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF."),
            code="not_an_image",
        ) from error
    finally:
        if position is not None:
            upload.seek(position)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted. Upload a JPEG, PNG, WebP or GIF."),
            code="format",
            params={"format": image_format},
        )
    if width < settings.IMAGE_MIN_WIDTH:
        raise ValidationError(
            _("The image is %(width)d pixels wide; lead images need at least %(minimum)d."),
            code="too_small",
            params={"width": width, "minimum": settings.IMAGE_MIN_WIDTH},
        )
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise ValidationError(
            _("The image is %(width)d × %(height)d pixels, more than we can process."),
            code="too_many_pixels",
            params={"width": width, "height": height},
        )
