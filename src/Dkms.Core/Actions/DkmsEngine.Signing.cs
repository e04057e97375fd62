using Dkms.Core.Errors;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    /// <summary>The default key and certificate: under the dkms tree (dkms hard-codes /var/lib/dkms).</summary>
    public (string Key, string Certificate) DefaultMok => _ctx.Signer.DefaultMok;

    /// <summary><c>generate_mok</c>: prints the key and certificate paths and makes them when missing.</summary>
    public async Task<int> GenerateMokAsync(CancellationToken ct = default)
    {
        var (_, key, cert) = await _ctx.Signer.SigningVariablesAsync(RunningKernel, ct).ConfigureAwait(false);
        var (_, _, problem) = await _ctx.Signer.EnsureMokAsync(key, cert, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            _out.Error(problem);
            return DkmsExitCode.Failure;
        }

        return 0;
    }
}
