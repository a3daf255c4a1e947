"""Korean and Japanese name pools, for the profiles that need East Asian names in number.

Kept apart from names.py (already long). Entries list romanisation variants after a slash, as
the Chinese pools do (Lee/Yi/Rhee, Sato/Satoh); Korean given names are two syllables joined by
a hyphen. Given names borne by well-known Koreans and Japanese with a common surname are left
out, so a random combination is nobody famous.
"""

from __future__ import annotations


def _split(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


KOREAN_FAMILY = _split("""Kim/Gim, Lee/Yi/Rhee, Park/Pak/Bak, Choi/Choe, Jung/Jeong/Chung, Kang,
Cho/Jo, Yoon/Yun, Jang/Chang, Lim/Im, Han, Oh, Seo/Suh, Shin/Sin, Kwon/Gwon, Hwang, Ahn/An, Song,
Jeon/Chun, Hong, Yoo/Yu, Ko/Go, Yang, Bae, Baek/Paik, Heo/Huh, Nam, Noh/Roh""")
KOREAN_M = _split("""Min-jun, Do-yun, Ye-jun, Si-woo, Ha-jun, Ju-won, Ji-ho, Jun-seo, Geon-woo,
Woo-jin, Dong-hyun, Jae-won, Young-ho, Sang-hoon, Kyung-soo, Jae-hyun, Sung-jin, Hyun-soo,
Chul-soo, Young-jin, Seong-ho, Min-soo, Sang-woo, Jin-ho, Dong-ha, Hyun-jun, Tae-hoon""")
KOREAN_F = _split("""Seo-yeon, Ji-woo, Seo-yun, Min-seo, Ha-eun, Ji-yeon, Soo-jin, Hye-jin, Eun-ji,
Ji-hye, Su-bin, Ye-eun, Young-hee, Mi-kyung, Eun-young, Hye-won, Ji-young, Mi-young, Sun-hee,
Jung-ah, Yeon-woo, Da-eun, So-yeon, Eun-jung, Hyun-joo, Mi-ra, Chae-won, Yu-jin, Ji-won""")

JAPANESE_FAMILY = _split("""Sato/Satoh/Satou, Suzuki, Takahashi, Tanaka, Watanabe, Ito/Itoh/Itou,
Yamamoto, Nakamura, Kobayashi, Kato/Katoh/Katou, Yoshida, Yamada, Sasaki, Yamaguchi, Matsumoto,
Inoue, Kimura, Hayashi, Shimizu, Yamazaki, Mori, Ikeda, Hashimoto, Ishikawa, Ogawa, Okada, Maeda,
Fujita, Goto/Gotoh/Gotou, Kondo/Kondoh/Kondou""")
JAPANESE_M = _split("""Hiroshi, Takashi, Kenji, Daisuke, Kazuki, Tatsuya, Satoshi, Makoto, Naoki,
Ryota/Ryohta/Ryouta, Shota/Shohta/Shouta, Kenta, Yuta/Yuuta, Tomoya, Masato, Kazuya, Takumi,
Hiroki, Yusuke/Yuusuke, Koji/Kohji/Kouji, Shinji, Tetsuya, Kenichi, Akira""")
JAPANESE_F = _split("""Yuko/Yuuko, Keiko, Akiko, Tomoko, Yumi, Naoko, Mayumi, Sachiko, Emi, Ayaka,
Misaki, Haruka, Nanami, Yui, Rina, Kana, Mai, Saki, Asuka, Megumi, Kyoko/Kyouko""")
