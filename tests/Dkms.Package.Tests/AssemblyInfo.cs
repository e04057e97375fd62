// Every test boots its own container and builds kernel modules: on two cores, one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
