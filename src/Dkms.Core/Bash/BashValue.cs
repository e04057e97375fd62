namespace Dkms.Core.Bash;

/// <summary>A bash variable read back: a scalar is index 0 of an indexed array, as in bash.</summary>
public sealed class BashValue
{
    private readonly SortedDictionary<int, string> _items = [];

    /// <summary>The elements by index (sparse arrays keep their gaps).</summary>
    public IReadOnlyDictionary<int, string> Items => _items;

    /// <summary>Element 0, or the empty string, as <c>$NAME</c> reads it.</summary>
    public string Scalar => _items.TryGetValue(0, out var v) ? v : string.Empty;

    /// <summary>1 + the highest index set; 0 when empty.</summary>
    public int Extent => _items.Count == 0 ? 0 : _items.Keys.Max() + 1;

    /// <summary>Element <paramref name="index"/>, or the empty string.</summary>
    public string this[int index] => _items.TryGetValue(index, out var v) ? v : string.Empty;

    internal void Set(int index, string value) => _items[index] = value;

    /// <summary>A value holding one scalar.</summary>
    public static BashValue Of(string scalar)
    {
        var v = new BashValue();
        v.Set(0, scalar);
        return v;
    }
}
