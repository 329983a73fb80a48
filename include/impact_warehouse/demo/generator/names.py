"""Word lists for fictitious people and organisations (all names are common, none is real).

Romaji follows the spelling people use in e-mail addresses (no macrons).
"""

from __future__ import annotations

FAMILY_NAMES: tuple[tuple[str, str], ...] = (
    ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"),
    ("伊藤", "ito"), ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"),
    ("小林", "kobayashi"), ("加藤", "kato"), ("吉田", "yoshida"), ("山田", "yamada"),
    ("佐々木", "sasaki"), ("山口", "yamaguchi"), ("松本", "matsumoto"), ("井上", "inoue"),
    ("木村", "kimura"), ("林", "hayashi"), ("斎藤", "saito"), ("清水", "shimizu"),
    ("山崎", "yamazaki"), ("森", "mori"), ("池田", "ikeda"), ("橋本", "hashimoto"),
    ("阿部", "abe"), ("石川", "ishikawa"), ("山下", "yamashita"), ("中島", "nakajima"),
    ("石井", "ishii"), ("小川", "ogawa"), ("前田", "maeda"), ("岡田", "okada"),
    ("長谷川", "hasegawa"), ("藤田", "fujita"), ("後藤", "goto"), ("近藤", "kondo"),
    ("村上", "murakami"), ("遠藤", "endo"), ("青木", "aoki"), ("坂本", "sakamoto"),
    ("福田", "fukuda"), ("太田", "ota"), ("西村", "nishimura"), ("藤井", "fujii"),
    ("金子", "kaneko"), ("岡本", "okamoto"), ("藤原", "fujiwara"), ("中野", "nakano"),
    ("三浦", "miura"), ("原田", "harada"), ("中川", "nakagawa"), ("松田", "matsuda"),
    ("竹内", "takeuchi"), ("小野", "ono"), ("田村", "tamura"), ("中山", "nakayama"),
    ("和田", "wada"), ("石田", "ishida"), ("森田", "morita"), ("上田", "ueda"),
)  # fmt: skip

GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("花子", "hanako"), ("陽子", "yoko"), ("恵", "megumi"), ("愛", "ai"), ("彩", "aya"),
    ("舞", "mai"), ("沙織", "saori"), ("由美", "yumi"), ("真由美", "mayumi"), ("智子", "tomoko"),
    ("直美", "naomi"), ("裕子", "yuko"), ("美穂", "miho"), ("香織", "kaori"), ("亜希子", "akiko"),
    ("明日香", "asuka"), ("綾香", "ayaka"), ("千尋", "chihiro"), ("絵美", "emi"), ("遥", "haruka"),
    ("瞳", "hitomi"), ("加奈子", "kanako"), ("佳奈", "kana"), ("理恵", "rie"), ("里美", "satomi"),
    ("紗希", "saki"), ("詩織", "shiori"), ("静香", "shizuka"), ("友美", "tomomi"), ("由佳", "yuka"),
    ("美咲", "misaki"), ("奈々", "nana"), ("菜摘", "natsumi"), ("紀子", "noriko"),
    ("麻美", "asami"), ("梓", "azusa"), ("楓", "kaede"), ("美和", "miwa"), ("沙耶", "saya"),
    ("真理子", "mariko"),
    ("由紀", "yuki"), ("望", "nozomi"), ("麻衣", "mai"), ("朋子", "tomoko"), ("晴香", "haruka"),
    ("祐子", "yuko"), ("春菜", "haruna"), ("美紀", "miki"), ("知佳", "chika"), ("結衣", "yui"),
)  # fmt: skip

# Reserved example domains only (RFC 2606 and JPRS), so no address can reach a real mailbox.
EMAIL_DOMAINS: tuple[tuple[str, int], ...] = (
    ("example.com", 5),
    ("example.jp", 3),
    ("example.ne.jp", 2),
)

PREFECTURES: tuple[tuple[str, int], ...] = (
    ("東京都", 10), ("神奈川県", 4), ("埼玉県", 3), ("千葉県", 3), ("大阪府", 3),
    ("愛知県", 2), ("京都府", 1), ("兵庫県", 2), ("福岡県", 1), ("宮城県", 1),
)  # fmt: skip

# Organisation names: a soft word plus an activity; the activity decides the field (分野).
ORGANISATION_WORDS: tuple[str, ...] = (
    "ひだまり", "こもれび", "みらい", "つばさ", "あおぞら", "にじいろ", "わかば", "たんぽぽ",
    "かけはし", "ともしび", "はぐくみ", "まちかど", "そよかぜ", "ひまわり", "おひさま", "ふたば",
)  # fmt: skip

ORGANISATION_ACTIVITIES: tuple[tuple[str, str], ...] = (
    ("こども食堂ネットワーク", "子ども・子育て"),
    ("子育てひろば", "子ども・子育て"),
    ("学習支援センター", "教育"),
    ("フードバンク", "生活困窮者支援"),
    ("多文化共生センター", "国際・多文化共生"),
    ("ケアラー支援の会", "福祉・介護"),
    ("まちづくり協議会", "まちづくり"),
    ("防災ネットワーク", "防災・災害支援"),
    ("若者サポートステーション", "若者支援"),
    ("障がい者就労支援センター", "障がい者支援"),
    ("環境保全の会", "環境"),
    ("ひとり親家庭支援の会", "子ども・子育て"),
)

LEGAL_FORMS: tuple[str, ...] = ("NPO法人", "認定NPO法人", "一般社団法人", "特定非営利活動法人")
