"""Bookkeeping of synthetic provinces loaded into this database."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProvinceLoad(models.Model):
    """One generated directory loaded by ``educredit load`` (合成数据导入记录).

    The dataset id comes from the directory's manifest; it is unique, so the same dataset is
    never loaded twice. The rows themselves are covered by the audit log's bulk entries.
    """

    dataset_id = models.CharField(_("数据集"), max_length=32, unique=True)
    directory = models.CharField(_("目录"), max_length=500)
    seed = models.BigIntegerField()
    scale = models.FloatField(_("规模"))
    counts = models.JSONField(_("行数"), default=dict)
    loaded_by = models.CharField(_("导入人"), max_length=150)
    loaded_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    seconds = models.FloatField(_("耗时（秒）"), default=0)

    class Meta:
        verbose_name = _("合成数据导入")
        verbose_name_plural = _("合成数据导入")

    def __str__(self) -> str:
        return f"{self.dataset_id} ({self.scale})"
