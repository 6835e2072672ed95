using System.Text;
using System.Text.RegularExpressions;
using Mlp.Tests.Data;

namespace Mlp.Tests.Readme;

/// <summary>
/// Every C# and F# code block in README.md is a copy of code that is compiled (and mostly run) elsewhere: a region of a
/// source file between <c>// readme:NAME:begin</c> and <c>// readme:NAME:end</c>. A name may mark several regions in
/// one file (e.g. the <c>using</c> lines at the top and a method body further down); the README block is their
/// concatenation, each region dedented. When a README example or the code under it changes, this test names the
/// block and the closest region and shows the first line where they differ.
/// </summary>
public partial class ReadmeCodeBlockTests
{
    /// <summary>The README's fenced blocks in these languages must each match a compiled region.</summary>
    private static readonly string[] CheckedLanguages = ["csharp", "cs", "fsharp", "fs"];

    /// <summary>Where regions are looked for (relative to the repository root), and in which files.</summary>
    private static readonly string[] RegionFolders = ["tests", "tools", "src"];
    private static readonly string[] RegionExtensions = [".cs", ".fs", ".fsx"];

    public sealed record CodeBlock(string Language, int Line, string Text);

    [GeneratedRegex(@"^```(?<lang>[A-Za-z#+-]*)\s*$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^\s*// readme:(?<name>[a-z0-9-]+):(?<edge>begin|end)\s*$")]
    private static partial Regex Marker();

    /// <summary>The README's fenced code blocks (language, first line number, text without the fences).</summary>
    public static IReadOnlyList<CodeBlock> ReadmeBlocks(string readme)
    {
        var blocks = new List<CodeBlock>();
        string[] lines = readme.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var m = Fence().Match(lines[i]);
            if (!m.Success) continue;
            int start = i + 1, end = start;
            while (end < lines.Length && lines[end].TrimEnd() != "```") end++;
            Assert.True(end < lines.Length, $"README.md line {i + 1}: the code block never closes");
            blocks.Add(new CodeBlock(m.Groups["lang"].Value, start + 1, string.Join('\n', lines[start..end])));
            i = end;
        }
        return blocks;
    }

    /// <summary>Every <c>readme:NAME</c> region under <paramref name="root"/>: name → (file, dedented text of all its regions in order).</summary>
    public static IReadOnlyDictionary<string, (string File, string Text)> Regions(string root)
    {
        var result = new SortedDictionary<string, (string File, string Text)>(StringComparer.Ordinal);
        var files = RegionFolders.Select(f => Path.Combine(root, f)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Where(f => RegionExtensions.Contains(Path.GetExtension(f)))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
            .Order(StringComparer.Ordinal);
        foreach (string file in files)
        {
            string[] lines = File.ReadAllText(file).Replace("\r\n", "\n").Split('\n');
            var parts = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            for (int i = 0; i < lines.Length; i++)
            {
                var m = Marker().Match(lines[i]);
                if (!m.Success) continue;
                string name = m.Groups["name"].Value, rel = Path.GetRelativePath(root, file);
                Assert.True(m.Groups["edge"].Value == "begin", $"{rel} line {i + 1}: 'readme:{name}:end' without a begin");
                int end = Array.FindIndex(lines, i + 1, l => Marker().Match(l) is { Success: true } e && e.Groups["name"].Value == name);
                Assert.True(end > i && Marker().Match(lines[end]).Groups["edge"].Value == "end", $"{rel} line {i + 1}: 'readme:{name}:begin' has no end");
                if (!parts.TryGetValue(name, out var list)) parts[name] = list = [];
                list.Add(Dedent(lines[(i + 1)..end]));
                i = end;
            }
            foreach (var (name, list) in parts)
            {
                string rel = Path.GetRelativePath(root, file);
                Assert.False(result.ContainsKey(name), $"readme:{name} is marked in both {result.GetValueOrDefault(name).File} and {rel}");
                result[name] = (rel, string.Join('\n', list));
            }
        }
        return result;
    }

    private static string Dedent(string[] lines)
    {
        int indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', lines.Select(l => (l.Length >= indent ? l[indent..] : l.TrimStart()).TrimEnd()));
    }

    private static string Normalize(string text) => string.Join('\n', text.Split('\n').Select(l => l.TrimEnd())).Trim('\n');

    [Fact]
    public void Every_csharp_and_fsharp_block_in_the_readme_is_a_compiled_region()
    {
        string root = TestData.RepoRoot;
        var blocks = ReadmeBlocks(File.ReadAllText(Path.Combine(root, "README.md")))
            .Where(b => CheckedLanguages.Contains(b.Language)).ToList();
        var regions = Regions(root);
        Assert.NotEmpty(blocks);

        var problems = new StringBuilder();
        foreach (var block in blocks)
        {
            string text = Normalize(block.Text);
            if (regions.Values.Any(r => Normalize(r.Text) == text)) continue;
            problems.AppendLine($"README.md line {block.Line} ({block.Language}) matches no `// readme:NAME:begin … end` region in {string.Join(", ", RegionFolders)}.");
            // The closest region (most lines in common) and the first line where it differs, to fix the drift quickly.
            var closest = regions.MaxBy(r => Normalize(r.Value.Text).Split('\n').Intersect(text.Split('\n')).Count());
            if (closest.Key is null) continue;
            string[] a = text.Split('\n'), b = Normalize(closest.Value.Text).Split('\n');
            int k = 0;
            while (k < a.Length && k < b.Length && a[k] == b[k]) k++;
            problems.AppendLine($"  closest: readme:{closest.Key} in {closest.Value.File}; first difference at block line {k + 1}:");
            problems.AppendLine($"    README: {(k < a.Length ? a[k] : "(end of block)")}");
            problems.AppendLine($"    source: {(k < b.Length ? b[k] : "(end of region)")}");
        }
        Assert.True(problems.Length == 0, problems.ToString());
    }

    [Fact]
    public void Every_marked_region_is_shown_in_the_readme()
    {
        string root = TestData.RepoRoot;
        var blocks = ReadmeBlocks(File.ReadAllText(Path.Combine(root, "README.md"))).Select(b => Normalize(b.Text)).ToHashSet();
        var orphans = Regions(root).Where(r => !blocks.Contains(Normalize(r.Value.Text))).Select(r => $"readme:{r.Key} ({r.Value.File})").ToList();
        Assert.True(orphans.Count == 0, "Regions marked for the README that it does not show (verbatim): " + string.Join(", ", orphans));
    }

    [Fact]
    public void The_checker_finds_blocks_and_multi_part_regions_and_reports_drift()
    {
        // A self-test of the mechanism on text made here, so the two facts above cannot pass by finding nothing.
        var blocks = ReadmeBlocks("# T\n\n```csharp\nusing A;\n\nvar x = 1;\n```\n\ntext\n\n```sh\nls\n```\n");
        Assert.Equal(["csharp", "sh"], blocks.Select(b => b.Language));
        Assert.Equal("using A;\n\nvar x = 1;", blocks[0].Text);
        Assert.Equal(4, blocks[0].Line);

        string dir = TestData.TempDir();
        Directory.CreateDirectory(Path.Combine(dir, "tests"));
        File.WriteAllText(Path.Combine(dir, "tests", "X.cs"),
            "// readme:demo:begin\nusing A;\n// readme:demo:end\nclass C\n{\n    void M()\n    {\n        // readme:demo:begin\n\n        var x = 1;\n        // readme:demo:end\n    }\n}\n");
        var regions = Regions(dir);
        Assert.Equal("using A;\n\nvar x = 1;", Normalize(regions["demo"].Text));
        Assert.Equal(Path.Combine("tests", "X.cs"), regions["demo"].File);
    }
}
