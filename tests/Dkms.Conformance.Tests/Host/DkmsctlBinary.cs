namespace Dkms.Conformance.Tests.Host;

/// <summary>The dkmsctl that the project reference copied next to the tests, and how to start it.</summary>
internal sealed record DkmsctlBinary(string FileName, IReadOnlyList<string> PrefixArguments)
{
    public static DkmsctlBinary Locate()
    {
        var dir = AppContext.BaseDirectory;
        var apphost = Path.Combine(dir, "dkmsctl");
        if (File.Exists(apphost) && (File.GetUnixFileMode(apphost) & UnixFileMode.UserExecute) != 0)
        {
            return new DkmsctlBinary(apphost, []);
        }

        var dll = Path.Combine(dir, "dkmsctl.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"dkmsctl is not in {dir}: the test project must reference src/Dkms.Cli.");
        }

        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        return new DkmsctlBinary(dotnet, [dll]);
    }
}
