namespace Dkms.Core.Conf;

/// <summary>One kernel module record of a dkms.conf (index i of the BUILT_/DEST_ arrays).</summary>
/// <param name="Index">The record number.</param>
/// <param name="BuiltName">The name make produces, without <c>.ko</c>.</param>
/// <param name="BuiltLocation">Directory under the build dir, empty or ending in <c>/</c>.</param>
/// <param name="DestName">The installed name, without <c>.ko</c>.</param>
/// <param name="DestLocation">Where it is installed under <c>&lt;install_tree&gt;/&lt;kernel&gt;</c>, after the distribution override.</param>
/// <param name="ConfDestLocation">DEST_MODULE_LOCATION as written in dkms.conf.</param>
/// <param name="Strip">Whether <c>strip -g</c> runs on it.</param>
public sealed record ModuleSpec(int Index, string BuiltName, string BuiltLocation, string DestName,
    string DestLocation, string ConfDestLocation, bool Strip);
