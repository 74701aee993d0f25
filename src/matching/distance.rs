//! The one distance rule of matching.md, and safe bounds for the spatial index.
//!
//! Pairs are always decided with [`distance_m`] (haversine, rounded). The index works on
//! 3D unit vectors, whose chord length is a monotone function of the great-circle angle;
//! the bounds below convert between the two with a margin of metres, far above the
//! floating-point error, so an index query never misses a pair the exact rule accepts.

use geo::{Distance, Haversine, Point};

/// Sphere radius of geo's `Haversine` (GRS80 mean radius), metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Slack, in metres, between the exact rule and the index bounds.
const MARGIN_M: f64 = 2.0;

/// Haversine distance in metres, rounded to the nearest metre, halves away from zero.
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> i64 {
    let d = Haversine.distance(Point::new(lon1, lat1), Point::new(lon2, lat2));
    // f64::round rounds halves away from zero, as matching.md requires.
    d.round() as i64
}

/// A position with its latitude's cosine cached, for many distance evaluations.
#[derive(Debug, Clone, Copy)]
pub struct Site {
    lat: f64,
    lon: f64,
    cos_lat: f64,
}

impl Site {
    /// Caches `cos(lat)` exactly as geo's `Haversine` computes it.
    pub fn new(lat: f64, lon: f64) -> Site {
        Site {
            lat,
            lon,
            cos_lat: lat.to_radians().cos(),
        }
    }

    /// [`distance_m`] from `self` (origin) to `other`: geo 0.33's haversine, operation for
    /// operation, so the result is bit-identical (a test checks this), minus two cosines.
    pub fn distance_m(&self, other: &Site) -> i64 {
        let delta_theta = (other.lat - self.lat).to_radians();
        let delta_lambda = (other.lon - self.lon).to_radians();
        let a = (delta_theta / 2.0).sin().powi(2)
            + self.cos_lat * other.cos_lat * (delta_lambda / 2.0).sin().powi(2);
        let c = 2.0 * a.sqrt().asin();
        (EARTH_RADIUS_M * c).round() as i64
    }
}

/// Position on the unit sphere, the coordinates of the spatial index.
pub fn unit_vector(lat: f64, lon: f64) -> [f64; 3] {
    let (la, lo) = (lat.to_radians(), lon.to_radians());
    [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
}

/// Squared chord that every pair with rounded distance `<= metres` lies within.
pub fn chord2_covering(metres: i64) -> f64 {
    let angle = (metres as f64 + MARGIN_M) / EARTH_RADIUS_M;
    if angle >= std::f64::consts::PI {
        return 4.0 + 1e-6;
    }
    let chord = 2.0 * (angle / 2.0).sin();
    chord * chord * (1.0 + 1e-9) + 1e-15
}

/// A lower bound, in metres, on the rounded distance of points a squared chord `chord2` apart.
///
/// An arc is never shorter than its chord, so `R · chord` bounds the great-circle distance
/// from below (by at most 4 mm at 15 km) without the arcsine.
pub fn metres_below(chord2: f64) -> f64 {
    EARTH_RADIUS_M * chord2.max(0.0).sqrt() - MARGIN_M
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_distance_is_1473() {
        assert_eq!(distance_m(56.1567, 10.2108, 56.1620, 10.1890), 1473);
    }

    #[test]
    fn cached_site_distance_is_bit_identical_to_geo() {
        let mut x: u64 = 88172645463325252;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        for i in 0..200_000 {
            let (la, lo) = (next() * 180.0 - 90.0, next() * 360.0 - 180.0);
            let spread = if i % 2 == 0 { 0.3 } else { 60.0 };
            let lb = (la + (next() - 0.5) * spread).clamp(-90.0, 90.0);
            let lob = lo + (next() - 0.5) * spread;
            let geo = Haversine.distance(Point::new(lo, la), Point::new(lob, lb));
            let ours = Site::new(la, lo).distance_m(&Site::new(lb, lob));
            assert_eq!(ours, geo.round() as i64);
            // Bit-identical, not just equal after rounding.
            let d = {
                let (s, o) = (Site::new(la, lo), Site::new(lb, lob));
                let a = ((o.lat - s.lat).to_radians() / 2.0).sin().powi(2)
                    + s.cos_lat * o.cos_lat * ((o.lon - s.lon).to_radians() / 2.0).sin().powi(2);
                EARTH_RADIUS_M * (2.0 * a.sqrt().asin())
            };
            assert_eq!(d.to_bits(), geo.to_bits());
        }
    }

    #[test]
    fn bounds_bracket_the_exact_distance() {
        let (a, b) = ((55.6761, 12.5683), (55.7, 12.4));
        let d = distance_m(a.0, a.1, b.0, b.1);
        let (u, v) = (unit_vector(a.0, a.1), unit_vector(b.0, b.1));
        let c2: f64 = (0..3).map(|i| (u[i] - v[i]).powi(2)).sum();
        assert!(metres_below(c2) <= d as f64);
        assert!(c2 <= chord2_covering(d));
        assert!(c2 > chord2_covering(d - 10));
    }
}
