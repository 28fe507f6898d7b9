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
    public void Neutralise_PrefixesFormulaStarters(string cell, string expected) =>
        Assert.That(CsvExport.Neutralise(cell), Is.EqualTo(expected));

    [Test]
    public void Neutralise_Null_StaysNull() => Assert.That(CsvExport.Neutralise(null), Is.Null);
}
