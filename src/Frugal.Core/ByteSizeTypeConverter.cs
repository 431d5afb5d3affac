using System.ComponentModel;
using System.Globalization;

namespace Frugal;

/// <summary>Lets configuration binding read a <see cref="ByteSize"/> from text such as <c>"64m"</c>.</summary>
internal sealed class ByteSizeTypeConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? ByteSize.Parse(text, CultureInfo.InvariantCulture) : base.ConvertFrom(context, culture, value);

    public override bool CanConvertTo(ITypeDescriptorContext? context, Type? destinationType) =>
        destinationType == typeof(string) || base.CanConvertTo(context, destinationType);

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        value is ByteSize size && destinationType == typeof(string) ? size.ToString() : base.ConvertTo(context, culture, value, destinationType);
}
