"""Every table of edge-case text tokcheck draws from, each once: the corpus (tokcheck.inputs.corpus)
and the Hypothesis strategies (tokcheck.inputs.text) share them. The corpus draws from the tables
of its section in order, so changing one of those changes every corpus string and the golden files
recorded from them: that is a new CORPUS_VERSION. The strategies draw from the shared tables and
from the extras of theirs below, listed simplest first where a failing example shrinks to them."""

from __future__ import annotations

from typing import Literal

# --- the corpus's tables (frozen with CORPUS_VERSION), also drawn by the strategies -------------------

# Space-separated word banks; each script is here because tokenizers split or normalize it
# differently (no spaces, RTL, combining marks, case rules, multi-byte runs).
WORDS: dict[str, tuple[str, ...]] = {
    lang: tuple(text.split())
    for lang, text in (
        ("en", "the of and to in is that it was for on are with as I his they be at one have this from "
               "hello world tokenizer model training data checkpoint embedding vocabulary merge "
               "Hello World The It's don't we'll they've she'd I'm you're can't won't O'Reilly rock'n'roll"),
        ("de", "Straße Größe über Fußgängerübergänge Ärger öffentlich Übermaß schön heißt Mädchen Führer"),
        ("fr", "l'homme aujourd'hui où déjà élève garçon français naïve cœur Noël qu'il c'était fête"),
        ("es", "¿Dónde ¡Hola! niño mañana año corazón pingüino acción también"),
        ("tr", "İstanbul ılık ığdır Işık şöyle çiçek görüşürüz DİYARBAKIR"),
        ("ru", "Привет мир съешь же ещё этих мягких французских булок Ёжик щётка объявление"),
        ("uk", "Ґанок їжак єдність Київ п'ятниця"),
        ("el", "Καλημέρα κόσμε ΣΊΣΥΦΟΣ ψυχή ἀρχή ὠμέγα"),
        ("ar", "مرحبا بالعالم اللُّغَةُ العَرَبِيَّة كتاب مُحَمَّد السلام عليكم ١٢٣ ٤٥٦"),
        ("he", "שלום עולם עִבְרִית ספר תודה"),
        ("fa", "سلام دنیا می‌خواهم کتاب‌ها"),
        ("hi", "नमस्ते दुनिया हिन्दी क्षत्रिय स्त्री अंग्रेज़ी"),
        ("bn", "আমার সোনার বাংলা ভাষা"),
        ("ta", "வணக்கம் உலகம் தமிழ்"),
        ("th", "สวัสดีชาวโลก ภาษาไทย กรุงเทพมหานคร"),
        ("km", "សួស្តី​ពិភពលោក ភាសាខ្មែរ ព្រះរាជាណាចក្រកម្ពុជា"),
        ("lo", "ສະບາຍດີ ພາສາລາວ"),
        ("my", "မင်္ဂလာပါ မြန်မာဘာသာ"),
        ("vi", "Tiếng Việt xin chào người đường phở Hà Nội Nguyễn cảm ơn rất nhiều"),
        ("zh", "你好 世界 中文 分词器 模型 训练 數據 繁體字 乾隆 饕餮 的 了 是"),
        ("ja", "こんにちは 世界 日本語 カタカナ ひらがな 東京都 ｶﾀｶﾅ ヴ ー"),
        ("ko", "안녕하세요 세계 한국어 토크나이저 훈민정음"),
        ("ka", "გამარჯობა მსოფლიო"),
        ("hy", "Բարեւ աշխարհ"),
        ("am", "ሰላም ዓለም"),
        ("yo", "Ẹ kú àárọ̀ Yorùbá"),
    )
}  # fmt: skip

LATIN_LANGS = ("en", "de", "fr", "es", "tr", "vi", "yo")
SEPARATORS = (" ", " ", " ", ", ", ". ", "\n", "  ", "\t", "、", "。", "，", " - ", "; ")
WHITESPACE = (
    " ", "  ", "   ", "    ", "        ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r\n\r\n", "\r", " \n", "\n ",
    "\u00a0", "\u00a0\u00a0", "\u200b", "\ufeff", "\u3000", "\u2009", "\u202f", "\u2003", "\v", "\f",
    "\u2028", "\u2029", "\u0085", "\u180e", " \t \n", "\n\t",
)  # fmt: skip
EMOJI = (
    "😀", "😂", "🤖", "👍", "👍🏽", "👋🏿", "❤️", "♥", "✨", "🔥", "🎉", "🚀", "🇺🇸", "🇯🇵", "🇩🇪", "🇺🇦",
    "🏳️‍🌈", "👨‍👩‍👧‍👦", "👩🏾‍💻", "🧑‍🚀", "👁️‍🗨️", "1️⃣", "#️⃣", "©️", "☺︎", "🫠", "🏴󠁧󠁢󠁳󠁣󠁴󠁿",
)  # fmt: skip
# Literal special-token strings of the zoo's tokenizers (and near misses) inside ordinary text.
SPECIAL_LITERALS = (
    "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
    "<|eom_id|>", "<|python_tag|>", "<|finetune_right_pad_id|>", "<|reserved_special_token_5|>",
    "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<s>", "</s>", "<unk>", "<pad>", "[INST]", "[/INST]",
    "[TOOL_CALLS]", "[AVAILABLE_TOOLS]", "[control_8]", "<SPECIAL_20>", "[CLS]", "[SEP]", "[MASK]",
    "[PAD]", "[UNK]", "<|im_start", "im_end|>", "<| eot_id |>", "<|EOT_ID|>", "< s >", "<<SYS>>", "<|user|>",
)  # fmt: skip
CODE_LINES = (
    "def {name}(x, y=None):", "return {name}(x) + 1", "for i in range(10):", "if x is not None and y:",
    "class {Name}(Base):", "    self.{name} = {name}", "import numpy as np", "from typing import Any",
    "const {name} = async () => {{ await fetch(url); }};", "let mut {name}: Vec<u8> = Vec::new();",
    "fn {name}(&self) -> Result<(), Error> {{", "int main(int argc, char **argv) {{", "printf(\"%d\\n\", x);",
    "SELECT id, name FROM users WHERE age >= 18 ORDER BY name;", "<div class=\"{name}\">{Name}</div>",
    "{{\"key\": \"value\", \"n\": [1, 2, 3], \"ok\": true}}", "x = [i**2 for i in range(100) if i % 3 == 0]",
    "# TODO: fix {name} before release", "// comment with ünïcödé", "/* block */", "echo \"$HOME\" | grep -v ^#",
    "a != b && c <= d || e >= f", "std::vector<std::string> {name};", "@decorator(arg=1)", "}} else {{",
    "    pass", "}}", "]);", "elif {name} == '{name}':", "raise ValueError(f\"bad {{x!r}}\")",
)  # fmt: skip
NAMES = ("foo", "bar", "tokenize", "encode_batch", "x1", "_private", "CamelCase", "snake_case_name", "ñame", "数据")
FULLWIDTH = ("ＡＢＣ", "ｆｕｌｌｗｉｄｔｈ", "１２３", "！？", "（括弧）", "ｶﾀｶﾅ", "　", "＠＃＄％", "Ｈｅｌｌｏ，　Ｗｏｒｌｄ！")
COMPATIBILITY = ("ﬁ", "ﬂ", "①", "™", "℃", "Å", "Ω", "ｘ²", "¼", "ǅ", "ẞ", "İ", "µ", "K", "ſ", "…", "‼")
COMBINING_MARKS = ("\u0301", "\u0300", "\u0308", "\u0327", "\u0303", "\u030a", "\u0323", "\u0331", "\u20dd", "\u0336")
CONTROLS = (
    *(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0E, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9F)),
    "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\u00ad", "\u2060", "\ufffd", "\ufffe",
)  # fmt: skip
CONTRACTIONS = (
    "don't", "DON'T", "I'm", "you're", "it's", "IT'S", "we've", "they'll", "she'd", "can't", "won't",
    "don’t", "it’s", "I’M", "y'all", "'tis", "rock 'n' roll", "the dog's bone", "the dogs' bones",
    "'quoted'", "''", "'", "O'Neil's", "l’été", "5'11\"", "it''s",
)  # fmt: skip
NORMAL_FORMS: tuple[Literal["NFD", "NFKD", "NFC", "NFKC"], ...] = ("NFD", "NFKD", "NFC", "NFKC")
ROLES = ("system", "user", "assistant", "tool", "ipython")
# Short strings every tokenizer comparison should see, in front of the generated ones.
EDGE_CASES: tuple[str, ...] = (
    "", " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "\r", " \n", "\n ", "a", "A", "1", "12", "123", "1234",
    "\u00a0", "\u200b", "\ufeff", "\ufeffhello", "\u3000", "\x00", "hello", " hello", "  hello", "hello ",
    "Hello world", " Hello world", "Hello World!", "hello\nworld", "hello\r\nworld", "I'm", "I'M", "'s",
    "don't", "don’t", "e\u0301", "\u00e9", "한국어", "\u1112\u1161\u11ab", "日本語", "ｆｕｌｌ", "😀", "👨‍👩‍👧",
    "🇺🇸", "<s>", "</s>", "<unk>", "[INST]", "<|im_start|>", "<|eot_id|>", "<|begin_of_text|>", "[CLS]",
    "<|endoftext|>", "▁", "▁▁hello", "Ġ", "##ing", "\\n", "    def f():\n        return 1\n",
)  # fmt: skip


# --- the strategies' own tables, and their extras beside the shared ones ---------------------------

LETTERS = tuple("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
PUNCTUATION = (
    ".", ",", "!", "?", "-", "'", '"', ":", ";", "(", ")", "[", "]", "{", "}", "<", ">", "/", "\\", "|", "@", "#",
    "$", "%", "&", "*", "_", "=", "+", "`", "~", "^", "...", "!!!!!!", " ,", " .", "--", "->", "=>", "<|", "|>",
)  # fmt: skip
DIGITS = (
    "0", "1", "3", "33", "333", "3333", "33333", "333333333", "2024", "3.14", "1,000", "1e10", "-1", "0x1F", "½",
    "¼", "²", "٣", "३", "१२३", "１２３", "〇", "Ⅵ", "①",
)  # fmt: skip
INVISIBLES = (
    "\xa0", "\u200b", "\ufeff", "\u2009", "\u202f", "\u3000", "\u2028", "\u2029", "\x85", "\u200c", "\u200d",
    "\u2060", "\xad", "\u180e", "\u200e", "\u200f", "\u202e",
)  # fmt: skip
SCRIPTS = (
    "你好", "世界", "日本語", "こんにちは", "カタカナ", "한국어", "안녕하세요", "中文字符", "ក្រុមហ៊ុន", "កាន់តែពិសេស",
    "Привет", "мир", "Ёё", "Їжак", "нещо на Български", "مرحبا", "العربية", "فارسی", "שלום", "עברית", "नमस्ते",
    "हिन्दी", "தமிழ்", "ไทย", "ภาษาไทย", "ქართული", "Ελληνικά", "Հայերեն", "አማርኛ", "ܐܒܓ", "Cửa Việt", " Việt",
    "Tiếng Việt", "Äpfel", "Führer", "Grüße", "façade", "naïve", "İstanbul", "Łódź",
)  # fmt: skip
CODE = (
    "    ", "        ", "def f(x):\n    return x\n", "\tif (a) {\n\t\treturn b;\n\t}\n", "for i in range(10):\n    print(i)\n",
    "x = {'a': 1, \"b\": [2, 3]}", '<div class="a">\n  <p>hi</p>\n</div>', "#include <stdio.h>\n",
    "SELECT * FROM t WHERE id = 1;", "```python\nprint('hi')\n```", "    \n", "\n    ", "// comment", "/* block */",
    "a==b&&c!=d", "i++;", "lambda x: x**2", "$HOME/.config", "C:\\Users", "https://example.com/a?b=c&d=e",
    "foo_bar_baz", "camelCaseWord",
)  # fmt: skip
# Composed and decomposed forms of one character (NFC and NFD differ), and singletons NFC replaces.
CANONICAL_FORMS = (
    "e\u0301", "a\u0308", "n\u0303", "a\u0306\u0301", "o\u0308\u0304", "\u1100\u1161\u11a8", "\u212b",
    "\u2126", "\xc5", "\xe9", "\xf1", "\u0958", "\u0915\u093c", "\u1e69", "q\u0307\u0323",
)  # fmt: skip
# The pieces BPE pre-tokenizer regexes split contractions into, and llama.cpp's apostrophe cases.
APOSTROPHE_PIECES = (
    "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "n't", "'S", "'T", "'RE", "'VE", "'M", "'LL", "'D", "’s", "’t",
    "’re", "' era", "'''", "rock'n'roll",
)  # fmt: skip
# Emoji besides EMOJI: ZWJ sequences with variation selectors and skin tones, a regional flag.
MORE_EMOJI = ("🦙", "😁", "✅", "🤷\u200d♀️", "🇪🇺", "🧑🏿\u200d💻", "😶\u200d🌫️")
# Controls besides CONTROLS: an ANSI escape, and the separators str.splitlines breaks at.
MORE_CONTROLS = ("\x1b[0m", "\x1c", "\x1d", "\x1e")
# Characters NFKC or case mapping changes, besides COMPATIBILITY.
MORE_COMPATIBILITY = (
    "ＡＢＣ", "ｈｅｌｌｏ", "！", "？", "（", "）", "²", "³", "Ⅻ", "㎏", "㍱", "ℌ", "ℕ", "ｶﾀｶﾅ", "ﾞ", "㈱", "Ǆ", "ß", "ı",
    "\u212a", "𝐀𝐁𝐂", "🄰",
)  # fmt: skip
