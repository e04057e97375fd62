namespace Dkms.Core.Signing;

/// <summary>How modules for one kernel are signed: <c>&lt;SignFile&gt; &lt;Hash&gt; &lt;Key&gt; &lt;Certificate&gt; module.ko</c>.</summary>
public sealed record SigningPlan(string SignFile, string Hash, string Key, string Certificate);
