using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mlp.Cli;

/// <summary>
/// Collects a command's facts once and shows them either as readable lines (like the notebook's cells) or,
/// with <c>--json</c>, as one JSON object on stdout.
/// </summary>
internal sealed class Report(bool json)
{
    private readonly JsonObject root = new();
    private JsonObject current = null!;

    public bool Json => json;

    /// <summary>Starts a section: a heading in text mode, a nested object in JSON.</summary>
    public void Section(string key, string title)
    {
        current = new JsonObject();
        root[key] = current;
        if (!json) Console.WriteLine($"\n== {title}");
    }

    /// <summary>Records a fact; <paramref name="text"/> is how it reads on a terminal (empty: JSON only).</summary>
    public void Fact(string key, JsonNode? value, string text)
    {
        current[key] = value;
        if (!json && text.Length > 0) Console.WriteLine("  " + text);
    }

    /// <summary>Records a nested object under the current section.</summary>
    public JsonObject Child(string key)
    {
        var o = new JsonObject();
        current[key] = o;
        return o;
    }

    /// <summary>Plain text that only appears on a terminal.</summary>
    public void Note(string text)
    {
        if (!json) Console.WriteLine("  " + text);
    }

    public void Finish()
    {
        if (json) Console.WriteLine(root.ToJsonString(Options));
    }

    // JSON has no NaN or infinity: such a number is written as the string "NaN", "Infinity" or "-Infinity", so the output stays valid JSON.
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string F(double v, string format = "0.0000") => v.ToString(format, CultureInfo.InvariantCulture);

    public static string E(double v) => v.ToString("0.00e+00", CultureInfo.InvariantCulture);

    public static string Shape(IReadOnlyList<int> s) => Tensor.ShapeString(s);

    public static JsonArray ShapeJson(IReadOnlyList<int> s) => new(s.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray());
}
