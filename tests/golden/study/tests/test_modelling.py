"""The model pipeline: fitted on training rows only, and robust to messy tables."""

import numpy as np
import pytest

from digits_practice_study import modelling, train


@pytest.mark.parametrize("name", modelling.MODELS)
def test_every_model_fits_messy_data(messy, params, name):
    settings = {**params["train"], "model": name}
    model = train.fit(
        messy, {"data": {"target": "target", "task": "classification"}, "train": settings}
    )
    assert model.predict(messy.drop(columns=["target"])).shape == (len(messy),)


def test_preprocessing_learns_from_training_rows_only(messy, params):
    part = messy.iloc[:60]
    model = train.fit(
        part, {"data": {"target": "target", "task": "classification"}, "train": params["train"]}
    )
    imputer, scaler = model.named_steps["preprocess"].named_transformers_["numeric"]
    numeric = part[["size", "weight"]]
    np.testing.assert_allclose(imputer.statistics_, numeric.median().to_numpy())
    np.testing.assert_allclose(scaler.mean_, numeric.fillna(numeric.median()).mean().to_numpy())
    assert not np.allclose(imputer.statistics_, messy[["size", "weight"]].median().to_numpy())


def test_unknown_model_is_named_in_the_error(params):
    with pytest.raises(ValueError, match="train.model"):
        modelling.build({**params["train"], "model": "magic"}, params["data"]["task"])
