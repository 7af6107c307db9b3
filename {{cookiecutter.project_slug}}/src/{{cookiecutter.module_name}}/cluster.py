"""The Dask cluster the data stages compute on.

By default a LocalCluster inside the stage's own process: it starts in about a second and
needs nothing set up. Set ``DASK_SCHEDULER_ADDRESS`` (for example ``tcp://10.0.0.5:8786``) to
use a running cluster instead; Dask reads it as its ``scheduler-address`` setting, so a Dask
configuration file works too. The code of the stages is the same either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dask
from dask.distributed import Client, LocalCluster


def scheduler_address() -> str | None:
    return dask.config.get("scheduler-address", None)


@contextmanager
def connect() -> Iterator[Client]:
    """A client of the configured scheduler, or of a LocalCluster that ends with the block."""
    address = scheduler_address()
    if address:
        with Client(address) as client:
            yield client
        return
    # Threads in this process: no worker start-up cost, and pandas releases the GIL in most
    # of the work done here. No dashboard, so that stages never compete for its port.
    with (
        LocalCluster(
            processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def describe(client: Client) -> str:
    return f"{client.scheduler.address} with {len(client.nthreads())} workers"
