from matching.names.translation import forward_term, translation_score


def test_a_word_the_corpus_never_had_costs_less_than_an_unexplained_known_word() -> None:
    assert forward_term("qzxwvbrand", 0.0) > forward_term("shipping", 0.0)
    assert forward_term("shipping", 0.5) > forward_term("qzxwvbrand", 0.0)


def test_translation_score_prefers_the_translation() -> None:
    name = "好收成企业有限公司"
    right = translation_score(name, "GOOD HARVEST ENTERPRISES LIMITED")
    assert right > translation_score(name, "GOLDEN DRAGON SHIPPING LIMITED") + 0.1
