"""GGUF exports of the zoo, made by llama.cpp's own converter (convert_hf_to_gguf.py --vocab-only,
from the llama-cpp-python source distribution, fetched once into the cache: llamacpp.py), and GGUF
drift mutants written with gguf's GGUFWriter (mutations.py); catalog.py registers them."""
