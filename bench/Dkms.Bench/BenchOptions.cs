namespace Dkms.Bench;

/// <summary>What one run of the harness measures, and where.</summary>
internal sealed record BenchOptions
{
    public bool Smoke { get; init; }

    /// <summary>Where RESULTS.md and the PNG plots go.</summary>
    public required string OutDir { get; init; }

    /// <summary>Scratch directory for the trees; removed at the end unless --keep.</summary>
    public required string WorkDir { get; init; }

    public bool Keep { get; init; }

    /// <summary><c>--status-scale</c>: only the status figures of the architecture issue (the scale row, Status RPC on the corpus tree, idle RSS).</summary>
    public bool StatusScaleOnly { get; init; }

    /// <summary><c>--limits</c>: only the resource limits of issue 14 (output of a job, wide Status as nobody, a connection flood).</summary>
    public bool LimitsOnly { get; init; }

    /// <summary><c>--sandbox-cost</c>: only the build sandbox's cost (a step's start, one module, the corpus autoinstall).</summary>
    public bool SandboxCostOnly { get; init; }
    /// <summary><c>--artifacts</c>: only issue 17's figure (the corpus installed from a builder's artifacts vs built).</summary>
    public bool ArtifactsOnly { get; init; }

    public required string Dkmsd { get; init; }

    public required string Dkmsctl { get; init; }

    public required string RepositoryRoot { get; init; }

    public string CorpusCache { get; init; } = "/var/cache/dkmsd-corpus";

    /// <summary>Corpus packages left out of the autoinstall batch (see RESULTS.md).</summary>
    public IReadOnlyList<string> ExcludedFromAutoinstall { get; init; } = ["lttng-modules-dkms", "jool-dkms"];

    /// <summary>
    /// (modules, kernels) of the generated trees. 500 × 3 is left out of the full run: dkms needs ~0.28 s per status
    /// line on this machine, ~7 min for one run of that tree; 300 × 1 instead of 500 × 1 to fit the run in ~12 min.
    /// </summary>
    public (int Modules, int Kernels)[] SyntheticCells => Smoke
        ? [(2, 1), (5, 1), (2, 2), (5, 2)]
        : [(10, 1), (100, 1), (300, 1), (10, 3), (100, 3)];

    /// <summary>Repetitions of one status measurement, bounded by <see cref="StatusBudget"/> per cell.</summary>
    public int StatusRuns => Smoke ? 2 : 7;

    public TimeSpan StatusBudget => Smoke ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(20);

    public int ReadyRuns => Smoke ? 2 : 7;

    public TimeSpan IdleWindow => Smoke ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(60);

    public int RpcCalls => Smoke ? 200 : 5000;

    public TimeSpan ThroughputWindow => Smoke ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5);

    public int Cores { get; init; } = Environment.ProcessorCount;

    public static BenchOptions Parse(string[] args)
    {
        bool smoke = false, keep = false, scale = false, limits = false, sandboxCost = false, artifacts = false;
        string? outDir = null, work = null, dkmsd = null, dkmsctl = null, repo = null, cache = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--smoke": smoke = true; break;
                case "--keep": keep = true; break;
                case "--status-scale": scale = true; break;
                case "--limits": limits = true; break;
                case "--sandbox-cost": sandboxCost = true; break;
                case "--artifacts": artifacts = true; break;
                case "--out": outDir = Next(); break;
                case "--work": work = Next(); break;
                case "--dkmsd": dkmsd = Next(); break;
                case "--dkmsctl": dkmsctl = Next(); break;
                case "--repo": repo = Next(); break;
                case "--corpus-cache": cache = Next(); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }

        repo = Path.GetFullPath(repo ?? FindRepository());
        return new BenchOptions
        {
            Smoke = smoke,
            Keep = keep,
            StatusScaleOnly = scale,
            LimitsOnly = limits,
            SandboxCostOnly = sandboxCost,
            ArtifactsOnly = artifacts,
            RepositoryRoot = repo,
            OutDir = Path.GetFullPath(outDir ?? Path.Combine(repo, "bench")),
            WorkDir = Path.GetFullPath(work ?? Traversable(Directory.CreateTempSubdirectory("dkms-bench-").FullName)),
            Dkmsd = Path.GetFullPath(dkmsd ?? Path.Combine(repo, "artifacts", "aot", "dkmsd")),
            Dkmsctl = Path.GetFullPath(dkmsctl ?? Path.Combine(repo, "artifacts", "aot", "dkmsctl")),
            CorpusCache = cache ?? (Environment.GetEnvironmentVariable("DKMSD_CORPUS_CACHE") is { Length: > 0 } c ? c : "/var/cache/dkmsd-corpus"),
        };
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DkmsDaemon.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run from inside the repository or pass --repo.");
    }

    /// <summary>A work directory the build sandbox's user can walk through to its trees (as /var/lib/dkms is 0755).</summary>
    private static string Traversable(string dir)
    {
        File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32("755", 8));
        return dir;
    }
}
