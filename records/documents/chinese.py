"""Numbers and dates written the Chinese way, as official documents write them."""

import datetime

CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (headings never need more)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十"
    return text + (CHINESE_DIGITS[ones] if ones else "")


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
