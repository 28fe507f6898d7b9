using Pulse.Api.Analytics;

namespace Pulse.Tests.Analytics;

public sealed class CsvExportTests
{
    [TestCase("=HYPERLINK(\"http://evil.test\")", "'=HYPERLINK(\"http://evil.test\")")]
    [TestCase("+1+1", "'+1+1")]
    [TestCase("-2+3", "'-2+3")]
    [TestCase("@SUM(A1)", "'@SUM(A1)")]
    [TestCase("\tcmd", "'\tcmd")]
    [TestCase("\rcmd", "'\rcmd")]
    [TestCase("-5", "-5")]
    [TestCase("-4.5", "-4.5")]
    [TestCase("great product", "great product")]
    [TestCase("a=b", "a=b")]
    [TestCase("", "")]
    [TestCase(" =1+1", "' =1+1")]
    [TestCase("\u00a0=1+1", "'\u00a0=1+1")]
    [TestCase("\u200b=HYPERLINK(\"http://evil.test\")", "'\u200b=HYPERLINK(\"http://evil.test\")")]
    [TestCase("\ufeff@SUM(A1)", "'\ufeff@SUM(A1)")]
    [TestCase("\n=1+1", "'\n=1+1")]
    [TestCase(" \u3000\t =cmd", "' \u3000\t =cmd")]
    [TestCase("\uff1d1+1", "'\uff1d1+1")]
    [TestCase("\uff0b1", "'\uff0b1")]
    [TestCase("\uff0d1", "'\uff0d1")]
    [TestCase("\uff20SUM(A1)", "'\uff20SUM(A1)")]
    [TestCase("\u22121+1", "'\u22121+1")]
    [TestCase("|cmd", "'|cmd")]
    [TestCase(" ;=1+1", "' ;=1+1")]
    [TestCase("\ncalc", "\ncalc")]
    [TestCase("  great", "  great")]
    [TestCase("\ud83d\ude00 =1", "\ud83d\ude00 =1")]
    public void Neutralise_PrefixesFormulaStarters(string cell, string expected) =>
        Assert.That(CsvExport.Neutralise(cell), Is.EqualTo(expected));

    [Test]
    public void Neutralise_Null_StaysNull() => Assert.That(CsvExport.Neutralise(null), Is.Null);
}
