//! Reading saved JSON back (`results.json`, `sweep.json`) for `driftlab report DIR`.
//!
//! serde_json writes a non-finite `f64` as `null` and refuses to read `null` into an `f64`.
//! [`from_json`] reads through a thin adapter that turns `null` into NaN wherever a number
//! is expected, so every result that could be written can be read back. (Infinities come
//! back as NaN; every chart treats both as "no value".)

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{DeserializeOwned, Deserializer, IntoDeserializer, Visitor};
use serde_json::Value;

/// Parses JSON text into `T`, reading `null` as NaN where `T` has an `f64`.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    let value: Value = serde_json::from_str(text)?;
    T::deserialize(NullAsNan(value))
}

struct NullAsNan(Value);

impl<'de> IntoDeserializer<'de, serde_json::Error> for NullAsNan {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> Deserializer<'de> for NullAsNan {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Array(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter().map(NullAsNan));
                let out = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(out)
            }
            Value::Object(map) => {
                let mut m = MapDeserializer::new(map.into_iter().map(|(k, v)| (k, NullAsNan(v))));
                let out = visitor.visit_map(&mut m)?;
                m.end()?;
                Ok(out)
            }
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_f64(f64::NAN),
            other => other.deserialize_f64(visitor),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_f32(f32::NAN),
            other => other.deserialize_f32(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(NullAsNan(other)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{PairedDifference, Percentiles};

    #[test]
    fn null_numbers_come_back_as_nan() {
        let p = PairedDifference {
            strategy: "a".into(),
            baseline: "b".into(),
            terminal_real_mean_diff: f64::NAN,
            terminal_real_ci95: (f64::NEG_INFINITY, 2.5),
            success_rate_diff: 0.1,
            success_rate_ci95: (0.0, 0.2),
            share_paths_ahead: 0.5,
        };
        let text = serde_json::to_string(&vec![p.clone()]).unwrap();
        assert!(text.contains("null"));
        let back: Vec<PairedDifference> = from_json(&text).unwrap();
        assert!(back[0].terminal_real_mean_diff.is_nan());
        assert!(back[0].terminal_real_ci95.0.is_nan());
        assert_eq!(back[0].terminal_real_ci95.1, 2.5);
        assert_eq!(back[0].strategy, "a");
        let pc: Percentiles =
            from_json(r#"{"p5":1,"p10":null,"p25":3.5,"p50":4,"p75":5,"p90":6,"p95":7}"#).unwrap();
        assert!(pc.p10.is_nan() && pc.p5 == 1.0 && pc.p25 == 3.5);
        let o: Option<f64> = from_json("null").unwrap();
        assert_eq!(o, None);
        assert!(from_json::<Vec<u32>>("[1, -2]").is_err());
    }
}
